// Bundles React + react-dom into ES modules, one per import specifier the learner may use,
// sharing one React instance through a split chunk. Two builds: "development" (React's
// warnings, such as the missing `key` one, exist only there) and "production" (faster).
// Output: dist/<mode>/*.js and dist/manifest.json (specifier -> file name).
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;
const specifiers = {
  'react': 'react',
  'react/jsx-runtime': 'react-jsx-runtime',
  'react/jsx-dev-runtime': 'react-jsx-dev-runtime',
  'react-dom': 'react-dom',
  'react-dom/client': 'react-dom-client',
};
const entriesDir = join(here, 'entries');
const dist = join(here, 'dist');
rmSync(entriesDir, { recursive: true, force: true });
rmSync(dist, { recursive: true, force: true });
mkdirSync(entriesDir, { recursive: true });

const entryPoints = {};
for (const [spec, name] of Object.entries(specifiers)) {
  const keys = Object.keys(require(spec)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  const src = `import M from ${JSON.stringify(spec)};\nexport default M;\nexport const { ${keys.join(', ')} } = M;\n`;
  const file = join(entriesDir, `${name}.js`);
  writeFileSync(file, src);
  entryPoints[name] = file;
}

for (const mode of ['development', 'production']) {
  await build({
    entryPoints,
    outdir: join(dist, mode),
    bundle: true,
    format: 'esm',
    splitting: true,
    minify: mode === 'production',
    chunkNames: 'shared-[hash]',
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    logLevel: 'warning',
    legalComments: 'none',
  });
}
const manifest = {
  react: require('react/package.json').version,
  specifiers: Object.fromEntries(Object.entries(specifiers).map(([s, n]) => [s, `${n}.js`])),
  files: Object.fromEntries(['development', 'production'].map((m) => [m, readdirSync(join(dist, m)).sort()])),
};
writeFileSync(join(dist, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
rmSync(entriesDir, { recursive: true, force: true });
console.log(`React ${manifest.react} bundled into ${dist}`);
