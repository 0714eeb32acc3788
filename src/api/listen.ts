import { chmodSync, lstatSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { ListenAddress } from '../config/addresses.js';
import { ApiListenError } from './errors.js';

/** Permissions of the admin API's unix socket: owner and group may connect (the `hypha` group, say). */
export const UNIX_SOCKET_MODE = 0o660;

/** How long to wait for an existing unix socket to answer before treating it as live, in ms. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * Starts `server` listening on `address` and returns the address it listens on (with the real port
 * when port 0 was asked for). A unix socket gets mode 0660; a socket file left by a dead process is
 * replaced, but a live one (another daemon) or a non-socket file is an error. Throws ApiListenError.
 */
export async function listenOn(server: Server, address: ListenAddress): Promise<string> {
  if (address.kind === 'unix') {
    await removeStaleSocket(address.path);
    // Bind with a umask that already yields 0660, so the socket is never briefly more open; chmod
    // again afterwards because process.umask() is unavailable in worker threads.
    let oldMask: number | undefined;
    try {
      oldMask = process.umask(0o117);
    } catch {
      oldMask = undefined;
    }
    try {
      await listen(server, address.text, () => server.listen(address.path));
    } finally {
      if (oldMask !== undefined) process.umask(oldMask);
    }
    chmodSync(address.path, UNIX_SOCKET_MODE);
    return address.text;
  }
  await listen(server, address.text, () => server.listen({ host: address.host, port: address.port }));
  const bound = server.address();
  if (bound === null || typeof bound === 'string') return address.text;
  return bound.family === 'IPv6' || bound.address.includes(':')
    ? `[${bound.address}]:${bound.port}`
    : `${bound.address}:${bound.port}`;
}

function listen(server: Server, text: string, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const why =
        err.code === 'EADDRINUSE'
          ? 'the address is in use (is another hypha running?)'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.code === 'EADDRNOTAVAIL'
              ? 'no local interface has this address'
              : err.message;
      reject(new ApiListenError('HYPHA_ERR_API_LISTEN', `cannot listen on ${text}: ${why}`, { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    start();
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ApiListenError('HYPHA_ERR_API_LISTEN', `cannot check unix:${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!isSocket) {
    throw new ApiListenError(
      'HYPHA_ERR_API_LISTEN',
      `cannot listen on unix:${path}: the file exists and is not a socket; remove it or choose another api_addr`,
    );
  }
  if (await socketAnswers(path)) {
    throw new ApiListenError(
      'HYPHA_ERR_API_LISTEN',
      `cannot listen on unix:${path}: another process is listening there (is hypha already running?)`,
    );
  }
  rmSync(path, { force: true });
}

/** Resolves true when something accepts connections on the unix socket at `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(path);
    const done = (answer: boolean) => {
      sock.destroy();
      resolve(answer);
    };
    sock.setTimeout(PROBE_TIMEOUT_MS, () => done(true));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
