import { randomBytes } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { CommunicationError, ProtocolError, ValueError, type TfeError } from '../errors.js';
import { ServingDealer, type Frames } from '../runtime/index.js';
import type { ServiceStatus } from './server.js';
import { bytesU64, reconstruct, shareInput, u64Bytes } from './shares.js';

/**
 * The client of a private prediction service (issue 19). It needs only the service's front
 * address: `connect` asks for the status, which advertises the model's input shape, the
 * fixed-point precision and each server's share address. `predict(x)`:
 *  1. encodes x in fixed point and splits it into two additive shares locally (shares.ts);
 *  2. announces the request to the front and sends one share to each server;
 *  3. waits for both output shares (or an error, or its timeout) and adds them.
 * Neither server, nor the driver, sees x or the prediction. A missing answer within the
 * timeout rejects with a `CommunicationError` naming the silent parties.
 *
 * @example
 * ```ts
 * const client = await tfe.serving.Client.connect('tcp://127.0.0.1:5990', { timeoutMs: 5000 });
 * const logits = await client.predict([[0.1, 0.2, 0.3, 0.4]]); // tf.Tensor2D [1, outputs]
 * client.close();
 * ```
 */
export interface ClientOptions {
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /**
   * The service's CURVE public key (the `curvePublicKey` of the `master` entry of its config),
   * when it runs with CURVE: every connection is then encrypted, to the front with this key
   * and to each server with the key the front advertises. Only `connect` reads it.
   */
  curveServerKey?: string;
}

/**
 * A prediction input: rows × features as nested arrays, a flat typed array, or a tfjs tensor.
 * @example
 * ```ts
 * const x: tfe.serving.PredictInput = [[0, 0.5, 1]];
 * ```
 */
export type PredictInput = number[][] | number[] | Float32Array | Float64Array | tf.Tensor;

interface Pending {
  results: Map<string, { shape: number[]; fracBits: number; data: BigUint64Array }>;
  resolve: (t: tf.Tensor) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const typedError = (message: string, cls: string): TfeError =>
  cls === 'ValueError' ? new ValueError(message) : cls === 'CommunicationError' ? new CommunicationError(message) : new ProtocolError(message);

/**
 * A connection to one prediction service; see {@link ClientOptions}.
 * @example
 * ```ts
 * const client = await Client.connect('tcp://127.0.0.1:5990');
 * const [a, b] = await client.predictBatch([imageA, imageB]);
 * ```
 */
export class Client {
  readonly clientId = randomBytes(12).toString('hex');
  private readonly pending = new Map<string, Pending>();
  private readonly statusWaiters = new Map<string, (s: ServiceStatus) => void>();
  private readonly servers = new Map<string, ServingDealer>();
  private front: ServingDealer;
  private next = 0;
  private info?: ServiceStatus;
  readonly timeoutMs: number;
  private readonly curve: boolean;

  private constructor(readonly address: string, opts: ClientOptions) {
    this.curve = opts.curveServerKey !== undefined;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new ValueError(`\`timeoutMs\` must be a positive number, got ${opts.timeoutMs}`);
    const key = opts.curveServerKey;
    if (key !== undefined && (typeof key !== 'string' || key.length !== 40)) throw new ValueError('`curveServerKey` must be a 40-character Z85 public key');
    this.front = ServingDealer.connect(address, (f) => this.onMessage('the service', f), key ? { serverKey: key } : undefined);
  }

  /** Connects to the service at `address` (`tcp://HOST:PORT`) and reads its status. */
  static async connect(address: string, opts: ClientOptions = {}): Promise<Client> {
    if (typeof address !== 'string' || !address.startsWith('tcp://')) throw new ValueError(`\`address\` must be tcp://HOST:PORT, got ${JSON.stringify(address)}`);
    const c = new Client(address, opts);
    try {
      c.info = await c.status();
      for (const [name, addr] of Object.entries(c.info.servers)) {
        const serverKey = c.info.curveServerKeys?.[name];
        const d = ServingDealer.connect(addr, (f) => c.onMessage(name, f), serverKey ? { serverKey } : undefined);
        c.servers.set(name, d);
        await d.send([Buffer.from('hello'), Buffer.from(c.clientId)]);
      }
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The service's status: model shapes, queue depth, counters, latency percentiles. */
  async status(): Promise<ServiceStatus> {
    const id = `${this.clientId}:s${this.next++}`;
    return new Promise<ServiceStatus>((resolve, reject) => {
      const hint = this.curve ? '' : ' (a service that runs with CURVE needs `curveServerKey`)';
      const timer = setTimeout(() => { this.statusWaiters.delete(id); reject(new CommunicationError(`the service at ${this.address} did not answer within ${this.timeoutMs} ms${hint}`, undefined, this.address)); }, this.timeoutMs);
      this.statusWaiters.set(id, (s) => { clearTimeout(timer); resolve(s); });
      this.front.send([Buffer.from('status'), Buffer.from(id)]).catch((e) => { clearTimeout(timer); reject(e); });
    });
  }

  private onMessage(source: string, frames: Frames): void {
    const kind = frames[0]?.toString();
    const id = frames[1]?.toString() ?? '';
    if (kind === 'status') { this.statusWaiters.get(id)?.(JSON.parse(frames[2].toString())); this.statusWaiters.delete(id); return; }
    const p = this.pending.get(id);
    if (!p) return;
    if (kind === 'error') {
      this.finish(id);
      p.reject(typedError(`${source}: ${frames[2]?.toString() ?? 'error'}`, frames[3]?.toString() ?? ''));
      return;
    }
    if (kind !== 'result' || frames.length !== 4) return;
    try {
      const header = JSON.parse(frames[2].toString()) as { shape: number[]; fracBits: number };
      p.results.set(source, { shape: header.shape, fracBits: header.fracBits, data: bytesU64(frames[3]) });
      if (p.results.size < this.servers.size) return;
      const [a, b] = [...p.results.values()];
      if (a.data.length !== b.data.length || a.fracBits !== b.fracBits) throw new ProtocolError('the servers returned output shares of different sizes or scales');
      this.finish(id);
      p.resolve(tf.tensor(Float32Array.from(reconstruct(a.data, b.data, a.fracBits)), a.shape));
    } catch (e) {
      this.finish(id);
      p.reject(e instanceof ProtocolError ? e : new ProtocolError(`${source} sent a malformed result: ${(e as Error).message}`));
    }
  }

  private finish(id: string): void {
    const p = this.pending.get(id);
    if (p) clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private rows(x: PredictInput): { values: ArrayLike<number>; rows: number } {
    const features = this.info!.inputShape.slice(1) as number[];
    const width = features.reduce((a, b) => a * b, 1);
    let values: ArrayLike<number>;
    if (x instanceof tf.Tensor) values = x.dataSync();
    else if (Array.isArray(x) && Array.isArray(x[0])) values = (x as number[][]).flat();
    else if (Array.isArray(x) || x instanceof Float32Array || x instanceof Float64Array) values = x as ArrayLike<number>;
    else throw new ValueError(`\`x\` must be number[][], a typed array or a tfjs tensor, got ${typeof x}`);
    if (values.length === 0 || values.length % width !== 0) {
      throw new ValueError(`\`x\` must hold n × ${width} values for input shape [n, ${features.join(', ')}], found ${values.length}`);
    }
    return { values, rows: values.length / width };
  }

  /** Private prediction of the rows of `x`; resolves with the outputs as a tfjs tensor. */
  async predict(x: PredictInput, opts: ClientOptions = {}): Promise<tf.Tensor> {
    const { values, rows } = this.rows(x);
    const features = this.info!.inputShape.slice(1) as number[];
    return this.send([rows, ...features], values, opts.timeoutMs ?? this.timeoutMs);
  }

  /** Several predictions at once (each its own request; the service may batch them). */
  async predictBatch(xs: PredictInput[], opts: ClientOptions = {}): Promise<tf.Tensor[]> {
    if (!Array.isArray(xs)) throw new ValueError('`xs` must be an array of inputs');
    return Promise.all(xs.map((x) => this.predict(x, opts)));
  }

  /**
   * Sends a request of `shape` with raw values, without checking them against the model
   * (what `predict` uses; tests use it to send wrong shapes).
   */
  async send(shape: number[], values: ArrayLike<number>, timeoutMs = this.timeoutMs): Promise<tf.Tensor> {
    const id = `${this.clientId}:${this.next++}`;
    const shares = shareInput(values, this.info!.fracBits);
    const names = [...this.servers.keys()];
    return new Promise<tf.Tensor>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.pending.get(id);
        this.finish(id);
        const silent = names.filter((n) => !p?.results.has(n));
        reject(new CommunicationError(`request \`${id}\`: no answer from ${silent.join(', ')} within ${timeoutMs} ms`, silent[0], this.info!.servers[silent[0]]));
      }, timeoutMs);
      this.pending.set(id, { results: new Map(), resolve, reject, timer });
      const header = Buffer.from(JSON.stringify({ shape }));
      const sends = [
        this.front.send([Buffer.from('predict'), Buffer.from(id), header]),
        ...names.map((n, k) => this.servers.get(n)!.send([Buffer.from('share'), Buffer.from(id), header, u64Bytes(shares[k])])),
      ];
      Promise.all(sends).catch((e) => { this.finish(id); reject(e); });
    });
  }

  /** Closes the connections; pending requests reject. */
  close(): void {
    for (const [id, p] of [...this.pending]) { this.finish(id); p.reject(new CommunicationError(`request \`${id}\`: the client was closed`)); }
    this.front.close();
    for (const d of this.servers.values()) d.close();
  }
}
