// Starts Portkey's open-source gateway (its own start script, unchanged) listening on 127.0.0.1 only: the start
// script listens on every interface, and a test server must not. Arguments are the start script's: --port=N --headless.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    const callback = args.find((a) => typeof a === 'function');
    return listen.call(this, args[0], '127.0.0.1', callback);
  }
  if (args[0] && typeof args[0] === 'object' && 'port' in args[0]) {
    return listen.call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};

await import('./node_modules/@portkey-ai/gateway/build/start-server.js');
