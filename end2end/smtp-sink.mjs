// An SMTP server on loopback for the end-to-end tests: Sanus sends its mail
// here, and the tests read what arrived from a small HTTP endpoint
// (GET /messages: [{ to: [...], data: "raw MIME" }]). No dependencies.
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";

const smtpPort = Number(process.env.SMTP_PORT);
const httpPort = Number(process.env.MAILBOX_PORT);
if (!smtpPort || !httpPort) throw new Error("SMTP_PORT and MAILBOX_PORT must be set");
const messages = [];

createServer((socket) => {
  socket.setEncoding("utf8");
  let buffer = "";
  let inData = false;
  let data = [];
  let to = [];
  const reply = (line) => socket.write(`${line}\r\n`);
  reply("220 e2e-sink ESMTP");
  socket.on("data", (chunk) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === ".") {
          messages.push({ to, data: data.join("\n") });
          inData = false;
          data = [];
          to = [];
          reply("250 queued");
        } else {
          data.push(line.startsWith(".") ? line.slice(1) : line);
        }
        continue;
      }
      const command = line.toUpperCase();
      if (command.startsWith("EHLO") || command.startsWith("HELO")) reply("250 e2e-sink");
      else if (command.startsWith("RCPT TO:")) {
        to.push(line.slice(8).trim().replace(/^<|>$/g, ""));
        reply("250 ok");
      } else if (command === "DATA") {
        inData = true;
        reply("354 go ahead");
      } else if (command === "QUIT") {
        reply("221 bye");
        socket.end();
      } else reply("250 ok");
    }
  });
  socket.on("error", () => {});
}).listen(smtpPort, "127.0.0.1");

createHttpServer((request, response) => {
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify(request.url === "/messages" ? messages : { ok: true }));
}).listen(httpPort, "127.0.0.1");
