// Injected into the CommonJS bundle by scripts/bundle.mjs: what import.meta.url stands for there.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
