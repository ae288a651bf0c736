/**
 * Protocols: the interface, Pond, and the functional API.
 * @example
 * ```ts
 * import { protocols, setProtocol } from 'tfe-js';
 * setProtocol(new protocols.Pond());
 * ```
 */
import { Pond } from './pond/pond.js';
import { setDefaultProtocolFactory } from './protocol.js';

setDefaultProtocolFactory(() => new Pond());

export { Pond, setDebug, type PondArgs } from './pond/pond.js';
export { SecureNN, type SecureNNArgs, type ActivationMode } from './securenn/index.js';
export { ABY3, type ABY3Args, ABY3PrivateTensor, ABY3PublicTensor, ABY3BooleanTensor, ABY3PrivateVariable, ABY3PublicVariable } from './aby3/index.js';
export { PondMaskedTensor, PondPrivateTensor, PondPrivateVariable, PondPublicTensor, PondPublicVariable } from './pond/pond_tensors.js';
export { getProtocol, setProtocol, type Protocol, type ProtocolCapabilities, type InputProvider } from './protocol.js';
export { TfeTensor, type TensorLike, type Liftable } from './tensor.js';
export * from './functional.js';
