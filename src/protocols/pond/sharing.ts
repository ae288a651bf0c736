import { ValueError } from '../../errors.js';
import { decodeFixed, encodeFixed } from '../../kernels/fixed_point.js';
import { ring } from '../../kernels/index.js';
import { U64 } from '../../kernels/dtype.js';
import type { RingTensor } from '../../kernels/ring_tensor.js';
import type { Handle, InputSource } from '../runtime_link.js';
import { toPlain } from '../lift.js';
import { boundOf, checkBounds } from '../overflow.js';
import type { InputProvider } from '../protocol.js';
import type { TfeTensor } from '../tensor.js';
import type { Pond } from './pond.js';
import { PondMaskedTensor, PondPrivateTensor, PondPublicTensor } from './pond_tensors.js';

/**
 * Secret-shares a tensor held by `owner` between the servers. 0 or 1 message.
 *  - owner ∉ {server0, server1}: server0's share r is expanded from the seed owner and server0
 *    share (no message); owner sends x − r to server1.
 *  - owner is a server: r is expanded from the servers' common seed on both; the owner keeps
 *    x − r, the other server r. Nothing is sent.
 * Communication: 8 bytes per element at most.
 */
export function shareFrom(p: Pond, x: Handle, fracBits: number): PondPrivateTensor {
  const { rt, s0, s1 } = p;
  const owner = x.player;
  let shares: [Handle, Handle];
  if (owner === s0 || owner === s1) {
    const [r0, r1] = rt.sampleShared([s0, s1], x.shape, U64);
    const ownR = owner === s0 ? r0 : r1;
    const masked = rt.op(owner, 'Sub', [x, ownR]);
    rt.free(ownR);
    shares = owner === s0 ? [masked, r1] : [r0, masked];
  } else {
    const [rOwner, r0] = rt.sampleShared([owner, s0], x.shape, U64);
    const diff = rt.op(owner, 'Sub', [x, rOwner]);
    const x1 = rt.send(diff, s1);
    rt.free(rOwner, diff);
    shares = [r0, x1];
  }
  rt.free(x);
  return new PondPrivateTensor(p, fracBits, shares);
}

const sameDims = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, k) => d === b[k]);

/** Turns a user's provider into a runtime input source that encodes on the owner's player. */
export function inputSource(provider: InputProvider, fracBits: number, shape?: number[], bounds?: number | [number, number]): InputSource {
  if (typeof provider === 'function') {
    return {
      kind: 'provider',
      provide: async () => {
        const plain = toPlain(await provider(), shape, 'provider result');
        if (bounds !== undefined) checkBounds(plain.values, bounds, 'provider result');
        return encodeFixed(plain.values, plain.shape, { fracBits });
      },
    };
  }
  if (provider && typeof provider.loader === 'string') {
    const declared = provider.shape ?? shape;
    const argShape = provider.args?.shape as number[] | undefined;
    if (declared && argShape && !sameDims(declared, argShape)) {
      throw new ValueError(`\`shape\` [${declared.join(',')}] and \`args.shape\` [${argShape.join(',')}] disagree; give \`shape\` only`);
    }
    const finalShape = declared ?? argShape;
    const extra = bounds === undefined ? {} : { bounds: boundOf(bounds) };
    if (!finalShape) return { kind: 'source', loader: provider.loader, args: { ...provider.args, fracBits, ...extra } };
    // The loader checks the file against the shape (naming the file); the player checks the
    // produced tensor against it for every loader.
    return { kind: 'source', loader: provider.loader, args: { ...provider.args, fracBits, shape: [...finalShape], ...extra }, shape: [...finalShape] };
  }
  throw new ValueError('`provider` must be a function or {loader, args}, got ' + typeof provider);
}

/** Opens a tensor to the driver and decodes it. Private tensors send both shares to the driver. */
export async function revealToDriver(p: Pond, x: TfeTensor): Promise<Float64Array> {
  const { rt } = p;
  let value: RingTensor;
  if (x instanceof PondPublicTensor) {
    value = await rt.reveal(x.values[0]);
  } else {
    const priv = x instanceof PondMaskedTensor ? x.unmasked : (x as PondPrivateTensor);
    const [v0, v1] = await Promise.all([rt.reveal(priv.shares[0]), rt.reveal(priv.shares[1])]);
    value = ring.add(v0, v1);
  }
  return decodeFixed(value, { fracBits: x.fracBits });
}

/**
 * Reconstructs a private tensor on `receiver` only: each server sends its share there, the
 * receiver adds them and hands the decoded value to `receive` (in-process players) or to its
 * `log` sink. Nothing reaches the driver.
 */
export async function outputTo(
  p: Pond,
  receiver: string,
  x: TfeTensor,
  receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>,
): Promise<void> {
  const { rt } = p;
  const priv = x instanceof PondMaskedTensor ? x.unmasked : x;
  const hs = priv instanceof PondPrivateTensor ? priv.shares : (priv as PondPublicTensor).values.slice(0, 1);
  const onReceiver = hs.map((h) => (h.player === receiver ? h : rt.send(h, receiver)));
  const total = onReceiver.length === 2 ? rt.op(receiver, 'Add', onReceiver) : onReceiver[0];
  const fracBits = x.fracBits;
  if (receive) {
    rt.output(total, { kind: 'callback', receive: (t) => receive(decodeFixed(t, { fracBits }), t.shape) });
  } else {
    rt.output(total, { kind: 'sink', name: 'print', args: { fracBits } });
  }
  for (const h of onReceiver) if (!hs.includes(h)) rt.free(h);
  if (total !== onReceiver[0]) rt.free(total);
  await rt.flush();
}
