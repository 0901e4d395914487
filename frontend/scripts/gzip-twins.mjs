#!/usr/bin/env node
// Writes `<file>.gz` (gzip -9) next to each compressible file of dist/. The server embeds both
// (crates/http-api/build.rs) and sends the twin to browsers that accept gzip: no compression at
// run time, and no compression library in the server for it. Run by `npm run build`.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|webmanifest)$/;
const MIN_BYTES = 1024; // smaller files gain nothing worth a second copy
const MAX_RATIO = 0.9; // keep a twin only when it saves at least 10 %

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, process.argv[2] ?? 'dist');

let written = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith('.')) continue;
    if (statSync(path).isDirectory()) {
      walk(path);
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const raw = readFileSync(path);
    const gz = gzipSync(raw, { level: 9 });
    if (raw.length >= MIN_BYTES && gz.length < raw.length * MAX_RATIO) {
      writeFileSync(`${path}.gz`, gz);
      written += 1;
    }
  }
};
walk(dist);
console.log(`gzip-twins: ${written} files`);
