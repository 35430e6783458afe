// A real SMTP server (nodemailer's smtp-server) for the SMTP mailer's tests, on 127.0.0.1 only.
//   node smtp-sink.mjs <dir> <port> <username> <password>
// It listens three ways and writes the ports to <dir>/ports.json once all are ready:
//   plain     <port>  no TLS, no AUTH (a relay on the same host)
//   starttls  any     STARTTLS with <dir>/cert.pem + key.pem, AUTH required after it
//   smtps     any     TLS from the first byte, AUTH required
// Every accepted message becomes <dir>/mail/<n>.json: {listener, session, from, to, user, secure,
// raw} (session: the connection's id),
// written before the server answers 250, so a client that got its answer finds the file.
// Recipients steer failures: reject@... is refused with 550, busy@... with 451.
import { SMTPServer } from 'smtp-server';
import fs from 'node:fs';
import path from 'node:path';

const [dir, portText, username, password] = process.argv.slice(2);
const mailDir = path.join(dir, 'mail');
fs.mkdirSync(mailDir, { recursive: true });
const tls = { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
let count = 0;

function refuse(code, text) {
  const error = new Error(text);
  error.responseCode = code;
  return error;
}

function listener(name, options) {
  return new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    banner: `donut-states test sink (${name})`,
    ...options,
    onAuth(auth, session, callback) {
      if (auth.username === username && auth.password === password) return callback(null, { user: username });
      callback(refuse(535, '5.7.8 authentication failed'));
    },
    onRcptTo(address, session, callback) {
      const local = address.address.split('@')[0];
      if (local === 'reject') return callback(refuse(550, '5.1.1 no such mailbox'));
      if (local === 'busy') return callback(refuse(451, '4.3.0 try again later'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        const record = {
          listener: name,
          session: session.id,
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user ?? null,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const file = path.join(mailDir, `${String(++count).padStart(6, '0')}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(record));
        fs.renameSync(`${file}.tmp`, file);
        callback();
      });
    },
  });
}

const servers = {
  plain: listener('plain', { disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true }),
  starttls: listener('starttls', { ...tls }),
  smtps: listener('smtps', { ...tls, secure: true }),
};
const wanted = { plain: Number(portText), starttls: 0, smtps: 0 };
const ports = {};
await Promise.all(
  Object.entries(servers).map(
    ([name, server]) =>
      new Promise((resolve, reject) => {
        server.on('error', reject);
        server.listen(wanted[name], '127.0.0.1', () => {
          ports[name] = server.server.address().port;
          resolve();
        });
      }),
  ),
);
fs.writeFileSync(path.join(dir, 'ports.json.tmp'), JSON.stringify(ports));
fs.renameSync(path.join(dir, 'ports.json.tmp'), path.join(dir, 'ports.json'));
// smtp-server logs connection errors on 'error' after listening; keep serving.
for (const server of Object.values(servers)) server.on('error', () => {});
