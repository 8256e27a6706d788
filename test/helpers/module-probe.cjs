// Preloaded with --require: reports at exit which of node's own modules the process loaded.
process.on('exit', () => process.stderr.write(`\nloaded: ${process.moduleLoadList.join(',')}`));
