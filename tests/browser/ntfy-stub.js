// A stand-in for ntfy on loopback: a publish answers 200 with an id, except
// one whose title contains "reject", which answers 400 (ntfy's error shape),
// and the first publish of a message whose title contains "flaky", which
// answers 500 (so the state machine retries it).
// Prints "ntfy-stub listening on http://127.0.0.1:PORT" once it listens.

import {createServer} from 'node:http';

let published = 0;
const flakySeen = new Set();

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const reply = (status, body) => {
      response.writeHead(status, {'content-type': 'application/json'});
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (request.method !== 'POST' && request.method !== 'PUT') {
      reply(200, {healthy: true, published});
      return;
    }
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      body = {};
    }
    const title = String(body.title ?? request.headers['x-title'] ?? request.headers.title ?? '');
    if (title.toLowerCase().includes('reject')) {
      reply(400, {code: 40000, http: 400, error: 'rejected by the ntfy stub: the title asks for it'});
      return;
    }
    if (title.toLowerCase().includes('flaky')) {
      const key = String(body.sequence_id ?? body.message ?? '');
      if (!flakySeen.has(key)) {
        flakySeen.add(key);
        reply(500, {code: 50001, http: 500, error: 'the ntfy stub fails the first try of a flaky message'});
        return;
      }
    }
    published += 1;
    reply(200, {
      id: `stub${String(published).padStart(8, '0')}`,
      time: Math.floor(Date.now() / 1000),
      event: 'message',
      topic: body.topic ?? 'browser-test',
      message: body.message ?? '',
    });
  });
});

server.listen(0, '127.0.0.1', () => {
  const {port} = server.address();
  process.stdout.write(`ntfy-stub listening on http://127.0.0.1:${port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
