// @topicsflow/sdk/node: a minimal WebSocket for Node (no extensions, optional headers).
export declare class NodeWebSocket extends EventTarget {
  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  constructor(url: string, protocols?: string | string[], options?: { headers?: Record<string, string> });
  readonly url: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly readyState: 0 | 1 | 2 | 3;
  binaryType: 'arraybuffer';
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}
