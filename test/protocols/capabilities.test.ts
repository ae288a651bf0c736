import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tfe from '../../src/index.js';
import { missingCapability, protocolsWith, registerCapability, requireExact } from '../../src/protocols/capabilities.js';

test('Pond has no exact comparison; SecureNN and ABY3 provide it as a typed object (themselves)', () => {
  const pond = new tfe.Pond();
  const snn = new tfe.SecureNN();
  const aby3 = new tfe.ABY3();
  assert.is(pond.capabilities.exactComparison, undefined);
  assert.is(snn.capabilities.exactComparison, snn);
  assert.is(requireExact(snn, 'x'), snn);
  assert.is(aby3.capabilities.exactComparison, aby3);
  assert.is(requireExact(aby3, 'x'), aby3);
});

test('a missing capability names the asker, the protocol, and only protocols that exist', () => {
  const pond = new tfe.Pond();
  let err: unknown;
  try { requireExact(pond, 'MaxPooling2D layer `mp`'); } catch (e) { err = e; }
  assert.instance(err, tfe.NotImplementedError);
  const msg = (err as Error).message;
  assert.match(msg, /MaxPooling2D layer `mp` needs a protocol with exact comparison \(Pond has none\): use ABY3 or SecureNN/);
  // Every protocol the message offers is a protocol class this build exports.
  const offered = msg.split(': use ')[1].split(/, | or /);
  for (const name of offered) assert.type((tfe.protocols as Record<string, unknown>)[name], 'function', `${name} exists`);
});

test('protocolsWith lists registered providers in a stable order', () => {
  assert.is(protocolsWith('exactComparison'), 'ABY3 or SecureNN');
  registerCapability('exactComparison', 'AAA-test');
  assert.is(protocolsWith('exactComparison'), 'AAA-test, ABY3 or SecureNN');
  assert.match(missingCapability(new tfe.Pond(), 'exactComparison', 'argmax'), /use AAA-test, ABY3 or SecureNN$/);
});

test.run();
