/**
 * Opening ABY3 tensors: to the driver (`reveal`) or to one player only (`defineOutput`).
 *
 * @example
 * ```ts
 * const values = await revealToDriver(p, x);
 * ```
 */
import { decodeFixed } from '../../kernels/fixed_point.js';
import { ring } from '../../kernels/index.js';
import type { Handle } from '../runtime_link.js';
import type { TfeTensor } from '../tensor.js';
import type { ABY3 } from './aby3.js';
import { ABY3BooleanTensor, ABY3PrivateTensor, ABY3PublicTensor } from './aby3_tensors.js';
import { summands } from './sharing.js';

/**
 * Opens a tensor to the driver and decodes it: server0 sends x0 and x1, server1 sends x2
 * (a boolean tensor's words are XORed instead of added).
 * @example
 * ```ts
 * const v = await revealToDriver(p, x);
 * ```
 */
export async function revealToDriver(p: ABY3, x: TfeTensor): Promise<Float64Array> {
  const { rt } = p;
  if (x instanceof ABY3PublicTensor) return decodeFixed(await rt.reveal(x.values[0]), { fracBits: x.fracBits });
  const parts = await Promise.all(summands((x as ABY3PrivateTensor | ABY3BooleanTensor).shares).map((h) => rt.reveal(h)));
  const join = x instanceof ABY3BooleanTensor ? ring.bitwiseXor : ring.add;
  return decodeFixed(join(join(parts[0], parts[1]), parts[2]), { fracBits: x.fracBits });
}

/**
 * Reconstructs a private tensor on `receiver` only. A server i receives the one share it lacks,
 * x_{i+2}, from server i+1; another player receives x0 + x1 from server0 and x2 from server1.
 * The value goes to `receive` (in-process players) or to the receiver's `print` sink. Nothing
 * reaches the driver.
 * @example
 * ```ts
 * await outputTo(p, 'result-receiver', y, (v) => console.log(v));
 * ```
 */
export async function outputTo(
  p: ABY3,
  receiver: string,
  x: TfeTensor,
  receive?: (values: Float64Array, shape: readonly number[]) => void | Promise<void>,
): Promise<void> {
  const { rt, servers: S } = p;
  const scratch: Handle[] = [];
  let total: Handle;
  if (x instanceof ABY3PublicTensor) {
    const i = S.indexOf(receiver);
    total = i >= 0 ? x.values[i] : rt.send(x.values[0], receiver);
    if (i < 0) scratch.push(total);
  } else {
    const shares = (x as ABY3PrivateTensor).shares;
    const i = S.indexOf(receiver);
    let parts: Handle[];
    if (i >= 0) {
      const missing = rt.send(shares[(i + 1) % 3][1], receiver);
      parts = [shares[i][0], shares[i][1], missing];
      scratch.push(missing);
    } else {
      const partial = rt.op(S[0], 'Add', [shares[0][0], shares[0][1]]);
      parts = [rt.send(partial, receiver), rt.send(shares[1][1], receiver)];
      scratch.push(partial, ...parts);
    }
    total = rt.op(receiver, 'AddN', parts);
    scratch.push(total);
  }
  const fracBits = x.fracBits;
  if (receive) rt.output(total, { kind: 'callback', receive: (t) => receive(decodeFixed(t, { fracBits }), t.shape) });
  else rt.output(total, { kind: 'sink', name: 'print', args: { fracBits } });
  rt.free(...scratch);
  await rt.flush();
}
