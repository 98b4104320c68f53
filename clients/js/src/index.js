/**
 * TopicsFlow SDK: protocol v1 over WebSocket and the REST API, with no dependencies.
 * @module
 */

export { TopicsFlowClient, CloseCode, channels, newNonce, shouldReconnect } from './client.js';
export { RestClient, websocketUrl } from './rest.js';
export {
  TopicsFlowError, RequestError, RequestTimeoutError, ConnectionLostError, ApiError,
} from './errors.js';
export {
  SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, jsonCodec, msgpackCodec, packMessage, unpackMessage,
} from './codecs.js';
