import { ProtocolError } from '../../errors.js';
import { MsgType, encodeHeader } from './codec.js';

/** The most messages one bundle carries. */
export const MAX_BUNDLE_MESSAGES = 1024;
/** Messages are bundled while the bundle stays under this many bytes; a bigger one goes alone. */
export const MAX_BUNDLE_BYTES = 16 * 2 ** 20;

/**
 * Whether a queued peer message may travel in a bundle: a tensor or a seed message, two frames
 * (header and payload), small enough.
 * @example
 * ```ts
 * bundleable(tensorMessage(MsgType.PeerTensor, session, 7, 'server0', t)); // true under 16 MiB
 * ```
 */
export function bundleable(frames: readonly Buffer[]): boolean {
  if (frames.length !== 2 || frames[0].length < 7) return false;
  const type = frames[0].readUInt8(6);
  return (type === MsgType.PeerTensor || type === MsgType.PeerSeed) && frames[0].length + frames[1].length <= MAX_BUNDLE_BYTES;
}

/**
 * Several peer messages to one player as one ZeroMQ message: a `PeerBundle` header whose tag is
 * the count, then each message's header and payload frames in order. One wake-up and one
 * socket write instead of one per message; the receiver admits and delivers each message as
 * if it had come alone ({@link unbundle}).
 * @example
 * ```ts
 * sock.send(bundle('server0', [msgA, msgB])); // [bundleHeader, hA, pA, hB, pB]
 * ```
 */
export function bundle(sender: string, messages: readonly Buffer[][]): Buffer[] {
  const frames = [encodeHeader(MsgType.PeerBundle, '', messages.length, sender)];
  for (const m of messages) frames.push(...m);
  return frames;
}

/**
 * The messages of a bundle whose header said `count`. Throws `ProtocolError` unless the count
 * is in [2, {@link MAX_BUNDLE_MESSAGES}] and the frames are `count` header-payload pairs.
 * @example
 * ```ts
 * for (const m of unbundle(h.tag, frames)) dispatch(rid, m);
 * ```
 */
export function unbundle(count: number, frames: readonly Buffer[]): Buffer[][] {
  if (!Number.isInteger(count) || count < 2 || count > MAX_BUNDLE_MESSAGES) {
    throw new ProtocolError(`a bundle must carry 2 to ${MAX_BUNDLE_MESSAGES} messages; its header says ${count}`);
  }
  if (frames.length !== 1 + 2 * count) throw new ProtocolError(`a bundle of ${count} messages must have ${1 + 2 * count} frames; found ${frames.length}`);
  const out: Buffer[][] = [];
  for (let k = 0; k < count; k++) out.push([frames[1 + 2 * k], frames[2 + 2 * k]]);
  return out;
}
