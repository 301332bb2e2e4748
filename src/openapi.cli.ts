import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument } from './openapi.ts';

/**
 * `npm run openapi [-- --check]`: writes openapi/openapi.json from the app's own route schemas,
 * or, with --check, fails when the committed file differs (CI runs that).
 */
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../openapi/openapi.json');
const generated = `${JSON.stringify(await generateOpenApiDocument(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  const { readFileSync, existsSync } = await import('node:fs');
  const committed = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (committed !== generated) {
    console.error('openapi/openapi.json is out of date: run `npm run openapi` and commit the result.');
    process.exit(1);
  }
  console.log('openapi/openapi.json is up to date.');
} else {
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, generated);
  console.log(`Wrote ${path.relative(process.cwd(), target)}`);
}
