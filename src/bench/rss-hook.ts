// Loaded with `node --import` into a process the benchmark measures: at exit it writes the process's
// peak resident set size (kB) to the file named by TFCTL_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.TFCTL_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
