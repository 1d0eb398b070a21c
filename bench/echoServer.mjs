// A WebSocket echo server in a process of its own: the floor of one round trip between two
// processes on this machine, with the libraries the nodes use (ws, msgpackr), decoding and
// re-encoding each frame as a node would. Prints {"port": N} once listening.
import { Packr } from 'msgpackr';
import { WebSocketServer } from 'ws';

const packr = new Packr({ useRecords: false, structuredClone: false });
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
wss.on('connection', (socket) => {
  socket.on('message', (data) => socket.send(packr.pack(packr.unpack(data))));
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
