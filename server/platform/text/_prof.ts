import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { analyzeForIndex } from './analyzer.ts';
const dictPath = createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt');
const W = readFileSync(dictPath, 'utf8').split('\n').map((l) => l.split(' ')).filter(([w, , t]) => /^\p{Script=Han}{2,4}$/u.test(w ?? '') && /^(n|vn|nr|ns|nz)$/.test(t ?? '')).sort((a, b) => Number(b[1]) - Number(a[1])).slice(0, 2000).map(([w]) => w ?? '');
let seed = 1; const r = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
const p = () => W[Math.floor(W.length * r() ** 3)] ?? '';
const recs = Array.from({ length: 50000 }, () => [p() + p() + '研究：' + p() + p() + '的视角', '王' + '伟芳丽'[Math.floor(r() * 3)] + '明华'[Math.floor(r() * 2)] + '主编', p() + '—' + p() + '—中国', '人民文学出版社']);
const o = { profiles: {} };
let n = 0;
const t0 = process.cpuUsage();
for (let k = 0; k < 4; k++) for (const [a, b, c, d] of recs) {
  n += analyzeForIndex('title', a!, o).length + analyzeForIndex('author', b!, o).length + analyzeForIndex('subject', c!, o).length + analyzeForIndex('publisher', d!, o).length;
}
const u = process.cpuUsage(t0);
console.log(n, ((u.user + u.system) / 200000).toFixed(2), 'µs/record');
