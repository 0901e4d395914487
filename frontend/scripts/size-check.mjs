#!/usr/bin/env node
// Fails the build when the JavaScript loaded before the webphone is first opened exceeds the
// budget, or when the voice SDK leaks into it. Prints initial and lazy chunk sizes (gzip).
// Reads dist/.vite/manifest.json (written by `vite build`) and removes it afterwards so it is
// not embedded in the server binary.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 40_000; // 40 kB gzip of initial JavaScript
const SDK_MARKER = 'sdk.twilio.com'; // a string only the voice SDK contains

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, process.argv[2] ?? 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`size-check: ${manifestPath} missing; run "vite build" first`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1000).toFixed(2)} kB`;

const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
if (entries.length === 0) {
  console.error('size-check: no entry chunk in the manifest');
  process.exit(2);
}

// Initial = entry chunks and everything they import statically.
const initial = new Set();
const walk = (key) => {
  if (initial.has(key)) return;
  initial.add(key);
  for (const dep of manifest[key]?.imports ?? []) walk(dep);
};
for (const [key] of entries) walk(key);

// Lazy = reachable through dynamic imports only.
const lazy = new Set();
const walkLazy = (key) => {
  const chunk = manifest[key];
  if (!chunk) return;
  for (const dep of [...(chunk.dynamicImports ?? []), ...(chunk.imports ?? [])]) {
    if (initial.has(dep) || lazy.has(dep)) continue;
    lazy.add(dep);
    walkLazy(dep);
  }
};
for (const key of [...initial]) walkLazy(key);

let failed = false;
let initialTotal = 0;
console.log('Initial JavaScript (before the webphone is opened):');
for (const key of initial) {
  const file = manifest[key].file;
  if (!file.endsWith('.js')) continue;
  const size = gz(file);
  initialTotal += size;
  console.log(`  ${file.padEnd(44)} ${kb(size).padStart(10)} gzip`);
  if (readFileSync(join(dist, file), 'utf8').includes(SDK_MARKER)) {
    console.error(`  ERROR: ${file} contains the voice SDK; it must be loaded lazily`);
    failed = true;
  }
}
console.log(`  total${' '.repeat(40)}${kb(initialTotal).padStart(10)} gzip (budget ${kb(BUDGET_BYTES)})`);

console.log('Lazy chunks:');
let sdkSize = null;
for (const key of lazy) {
  const file = manifest[key].file;
  if (!file.endsWith('.js')) continue;
  const size = gz(file);
  const isSdk = readFileSync(join(dist, file), 'utf8').includes(SDK_MARKER);
  if (isSdk) sdkSize = (sdkSize ?? 0) + size;
  console.log(`  ${file.padEnd(44)} ${kb(size).padStart(10)} gzip${isSdk ? '  (voice SDK)' : ''}`);
}
if (sdkSize == null) {
  console.error('  ERROR: no lazy chunk holds the voice SDK');
  failed = true;
} else {
  console.log(`  voice SDK chunk${' '.repeat(30)}${kb(sdkSize).padStart(10)} gzip`);
}

if (initialTotal > BUDGET_BYTES) {
  console.error(`size-check: initial JavaScript ${kb(initialTotal)} exceeds ${kb(BUDGET_BYTES)}`);
  failed = true;
}
rmSync(join(dist, '.vite'), { recursive: true, force: true });
if (failed) process.exit(1);
console.log('size-check: ok');
