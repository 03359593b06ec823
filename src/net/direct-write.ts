/*
 * A connection's output written straight to its libuv handle, as net.Socket's own write
 * path ends up doing (StreamBase::WriteString: try the write at once, queue the rest),
 * without the writable-stream layers before it and the callback tick after it. That layer
 * was about 5% of the main thread's time under redis-benchmark. When the kernel takes
 * the bytes at once (the usual case), nothing else happens. When it does not, libuv keeps
 * the rest queued in order on the handle, and until it is written the connection uses
 * socket.write, which queues behind it on the same handle; so the bytes leave in order and
 * what the stream does not count (writableLength) is at most one such batch. Falls back to
 * socket.write whenever the handle is not there to use.
 */
import type { Socket } from "node:net";

interface WriteReq {
  handle: StreamHandle;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  owner: DirectWriter;
}

interface StreamHandle {
  writeLatin1String(req: WriteReq, s: string): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

const binding = (process as unknown as { binding(name: string): StreamWrapBinding }).binding("stream_wrap");
const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding;

/** Requests the kernel has not taken yet, kept reachable until libuv completes them. */
const inFlight = new Set<WriteReq>();

function onComplete(this: WriteReq, status: number): void {
  inFlight.delete(this);
  this.owner.pending--;
  if (status < 0) this.owner.socket.destroy(new Error(`write failed (${status})`));
}

export class DirectWriter {
  /** direct writes libuv still holds */
  pending = 0;

  constructor(readonly socket: Socket) {}

  write(s: string): void {
    const socket = this.socket;
    const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
    if (handle === null || this.pending > 0 || socket.writableLength > 0 || !socket.writable) {
      socket.write(s, "latin1");
      return;
    }
    const req = new WriteWrap();
    req.handle = handle;
    req.oncomplete = onComplete;
    req.async = false;
    req.owner = this;
    const err = handle.writeLatin1String(req, s);
    if (err !== 0) {
      socket.destroy(new Error(`write failed (${err})`));
      return;
    }
    if (streamBaseState[kLastWriteWasAsync] !== 0) {
      req.async = true;
      this.pending++;
      inFlight.add(req);
    }
  }
}
