// The vendor's Node sample flow with Node's built-in fetch: POST /api/2.0/authentication, then
// POST /api/2.0/authentication/{code} with the code in the JSON body too (protocol §4.3).
//
//   node login.mjs seq N ROUNDS | conc C TOTAL | cold
//
// Configuration in the environment (DS_URL, DS_USER, DS_PASSWORD, DS_SECRET, DS_WARMUP); one
// JSON line out (or `TOKEN <length>` for cold), like every client (bench/README.md).
import { createHmac } from "node:crypto";

const env = (k) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const url = env("DS_URL").replace(/\/$/, "");
if (!/^https?:\/\/127\.0\.0\.1:\d+$/.test(url)) throw new Error(`logins only to the local emulator, not ${url}`);
const user = env("DS_USER");
const password = env("DS_PASSWORD");
const secret = env("DS_SECRET");
const warmup = Math.min(Number(process.env.DS_WARMUP ?? "20"), 10000);

function base32(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.toUpperCase().replace(/=+$/, "")) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}
const key = base32(secret);

function totpNow() {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

async function post(path, body) {
  const res = await fetch(url + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} on ${path}`);
  return (await res.json()).response;
}

async function login() {
  const step1 = await post("/api/2.0/authentication", { userName: user, password });
  if (!step1?.tfa) throw new Error("step 1 did not ask for an authenticator code");
  const code = totpNow();
  const step2 = await post(`/api/2.0/authentication/${code}`, { userName: user, password, code });
  return step2?.token ?? "";
}

async function many(c, per) {
  const tally = { ok: 0, failures: 0, tokenLen: 0 };
  const worker = async () => {
    for (let i = 0; i < per; i++) {
      try {
        const token = await login();
        if (!token) throw new Error("no token");
        tally.ok++;
        tally.tokenLen = token.length;
      } catch (e) {
        if (tally.failures === 0) console.error(`login failed: ${e}`);
        tally.failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  return tally;
}

function cpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function measure(c, per) {
  const cpu0 = cpuUs(), wall0 = process.hrtime.bigint();
  const t = await many(c, per);
  return {
    n: c * per, ok: t.ok, failures: t.failures, cpu_us: cpuUs() - cpu0,
    wall_us: Number((process.hrtime.bigint() - wall0) / 1000n),
  };
}

async function main(argv) {
  const num = (i) => {
    const n = Number(argv[i]);
    if (!Number.isInteger(n) || n < 1 || n > 1000000) throw new Error(`out of range: ${argv[i]}`);
    return n;
  };
  const mode = argv[0];
  if (mode === "cold") {
    const t = await many(1, 1);
    if (t.ok !== 1) return 1;
    console.log(`TOKEN ${t.tokenLen}`);
    return 0;
  }
  if (mode !== "seq" && mode !== "conc") throw new Error("mode must be seq N ROUNDS, conc C TOTAL or cold");
  const w = warmup > 0 ? await many(1, warmup) : { ok: 0, failures: 0 };
  const out = { mode, warmup: { ok: w.ok, failures: w.failures } };
  if (mode === "seq") {
    out.rounds = [];
    for (let r = 0; r < Math.min(num(2), 100); r++) out.rounds.push(await measure(1, num(1)));
  } else {
    const c = num(1);
    out.c = c;
    out.run = await measure(c, Math.ceil(num(2) / c));
  }
  console.log(JSON.stringify(out));
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  console.error(`login.mjs: ${e.message}`);
  process.exitCode = 2;
});
