// How the mediasoup worker is compiled here: from Debian's -dev packages with meson (pip, project-local) and
// ninja, never downloading anything from a code host. See README.md, "Native parts", for why each piece exists.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, info, log, runWithProgress } from './log.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
export const MESON_VERSION = '1.12.1';
/** Source patches applied before compiling, in order (each file says why). */
export const PATCHES = ['dtls-bio-callback.patch.json'];
/** Files whose content is part of the recipe (the fingerprint hashes them). */
export const RECIPE_FILES = [...PATCHES, 'mediasoup-worker.mjs', ...listFiles(join(here, 'subprojects')).map((f) => join('subprojects', f))];

/** Debian packages the build needs, with what proves each one is installed. */
const DEBIAN_PACKAGES = [
  { pkg: 'g++', ok: () => works('g++', ['--version']) },
  { pkg: 'pkg-config', ok: () => works('pkg-config', ['--version']) },
  { pkg: 'ninja-build', ok: () => works('ninja', ['--version']) },
  { pkg: 'python3-pip', ok: () => works('python3', ['-m', 'pip', '--version']) },
  { pkg: 'libssl-dev', ok: () => pkgConfig('openssl', '3.0') },
  { pkg: 'libuv1-dev', ok: () => pkgConfig('libuv', '1.44') },
  { pkg: 'libsrtp2-dev', ok: () => pkgConfig('libsrtp2', '2.5') },
  { pkg: 'libusrsctp-dev', ok: () => pkgConfig('usrsctp') },
  { pkg: 'libabsl-dev', ok: () => pkgConfig('absl_flat_hash_map') },
  { pkg: 'libflatbuffers-dev', ok: () => pkgConfig('flatbuffers') },
  { pkg: 'flatbuffers-compiler', ok: () => works('flatc', ['--version']) },
];

function listFiles(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

function works(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function pkgConfig(module, minVersion) {
  return works('pkg-config', minVersion ? [`--atleast-version=${minVersion}`, module] : ['--exists', module]);
}

/** Installs missing Debian packages with apt-get when running as root; otherwise prints the exact command. */
export function ensureDebianPackages() {
  const missing = () => DEBIAN_PACKAGES.filter((p) => !p.ok()).map((p) => p.pkg);
  let absent = missing();
  if (absent.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${absent.join(' ')}`;
  if (process.getuid?.() === 0 && works('apt-get', ['--version'])) {
    log(`installing the worker's build dependencies with apt-get: ${absent.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...absent], { stdio: 'inherit', env }).status === 0;
    // A new machine's package lists may be empty: update once and retry.
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      install();
    }
    absent = missing();
  }
  if (absent.length > 0) fail(`the mediasoup worker's build dependencies are missing: ${absent.join(' ')}.`, `\`sudo ${command}\` (Debian 12 / Ubuntu 24.04 or newer), then \`npm start\` again.`);
}

/** meson ≥ 1.1 (Debian's 1.0.1 is too old), installed by pip into a project-local folder: `.cache/tools/`. */
export function ensureMeson() {
  const dir = join(repoRoot, '.cache', 'tools', `meson-${MESON_VERSION}`);
  const meson = join(dir, 'bin', 'meson');
  const run = (args, options) => spawnSync('python3', [meson, ...args], { ...options, env: { ...process.env, PYTHONPATH: dir, ...options?.env } });
  if (existsSync(meson) && run(['--version'], { encoding: 'utf8' }).stdout?.trim() === MESON_VERSION) return { dir, meson };
  log(`installing meson ${MESON_VERSION} with pip into ${dir} ...`);
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', dir, `meson==${MESON_VERSION}`], { stdio: 'inherit' });
  if (r.status !== 0 || run(['--version'], { encoding: 'utf8' }).stdout?.trim() !== MESON_VERSION) {
    fail(`pip could not install meson ${MESON_VERSION}.`, `check that \`python3 -m pip install --target /tmp/meson meson==${MESON_VERSION}\` works (pip needs its package index).`);
  }
  return { dir, meson };
}

/** Applies one patch file to the worker sources; safe on already patched sources (per-file marker). */
export function applyPatch(msDir, patchFile) {
  const patch = JSON.parse(readFileSync(join(here, patchFile), 'utf8'));
  for (const target of patch.files) {
    const file = join(msDir, target.file);
    let src = readFileSync(file, 'utf8');
    if (src.includes(target.marker)) continue;
    for (const edit of target.edits) {
      const at = src.indexOf(edit.find);
      if (at < 0) fail(`cannot apply ${patchFile}: expected code not found in ${target.file}.`, 'reinstall mediasoup with `npm ci`.');
      src = `${src.slice(0, at)}${edit.replace}${src.slice(at + edit.find.length)}`;
    }
    writeFileSync(file, `${target.marker}\n${src}`);
  }
  info(`worker sources patched: ${patchFile.replace('.patch.json', '')}`);
}

/**
 * Puts our stub in the folder each dependency's wrap file names (`directory =`), so meson takes it as the
 * already-downloaded subproject (scripts/native/subprojects/README.md). A wrap we have no stub for, and that the
 * build does not skip by option (catch2: tests, liburing: disabled, wingetopt: Windows), fails loudly.
 */
export function installDependencyStubs(workerDir) {
  const stubs = join(here, 'subprojects');
  const notNeeded = new Set(['catch2', 'liburing', 'wingetopt']);
  for (const wrap of readdirSync(join(workerDir, 'subprojects')).filter((f) => f.endsWith('.wrap'))) {
    const name = wrap.replace(/\.wrap$/, '');
    const directory = /^directory\s*=\s*(.+)$/m.exec(readFileSync(join(workerDir, 'subprojects', wrap), 'utf8'))?.[1]?.trim();
    if (!directory) fail(`subprojects/${wrap} has no directory line.`, 'this mediasoup version is not supported by scripts/native-build.mjs.');
    if (notNeeded.has(name)) continue;
    if (!existsSync(join(stubs, name))) fail(`no dependency stub for mediasoup's ${name} subproject.`, `add scripts/native/subprojects/${name}/ (see its README.md).`);
    const target = join(workerDir, 'subprojects', directory);
    rmSync(target, { recursive: true, force: true });
    cpSync(join(stubs, name), target, { recursive: true });
    copyFileSync(join(stubs, 'empty.c'), join(target, 'empty.c'));
  }
}

/** Configures and compiles the worker into worker/out/Release/mediasoup-worker (where mediasoup looks for it). */
export async function compileWorker(msDir, version) {
  ensureDebianPackages();
  const { dir: mesonDir, meson } = ensureMeson();
  const workerDir = join(msDir, 'worker');
  for (const patch of PATCHES) applyPatch(msDir, patch);
  installDependencyStubs(workerDir);
  const buildDir = join(workerDir, 'out', 'Release');
  // Objects of another recipe must not be reused: always configure from scratch.
  rmSync(join(workerDir, 'out'), { recursive: true, force: true });
  mkdirSync(dirname(buildDir), { recursive: true });
  const env = { ...process.env, PYTHONPATH: mesonDir };
  delete env.MEDIASOUP_WORKER_BIN;
  log(`building the mediasoup ${version} worker from Debian's libraries (about 5 minutes on 2 cores; once per machine)`);
  const setup = await runWithProgress(
    'python3',
    [meson, 'setup', '--wrap-mode=nodownload', '--buildtype=release', '-Db_ndebug=true', '-Dms_disable_liburing=true', buildDir, workerDir],
    { env, cwd: workerDir },
    'configuring (meson setup)',
  );
  if (setup.code !== 0) {
    console.error(setup.tail.join('\n'));
    fail('meson could not configure the worker; its last lines are above.', 'install the packages it names, then `npm run build:native -- --force`.');
  }
  // The flatc-generated headers first: the worker target alone does not depend on them (a missing FBS/*.h).
  for (const target of ['fbs/FBS', 'mediasoup-worker']) {
    const r = await runWithProgress('ninja', ['-C', buildDir, target], { env }, `compiling ${target}`);
    if (r.code !== 0) {
      console.error(r.tail.join('\n'));
      fail(`compiling ${target} failed (ninja exit ${r.code}); its last lines are above.`, 'run `npm run build:native -- --force` after fixing what they say.');
    }
    log(`${target} built in ${r.seconds} s`);
  }
  return join(buildDir, 'mediasoup-worker');
}

/** Libraries the worker must load from Debian (security updates via apt), never bundled copies. */
const SYSTEM_LIBRARIES = [/^libssl\.so\.3$/, /^libcrypto\.so\.3$/, /^libsrtp2\.so\.1$/, /^libusrsctp\.so\.\d+$/, /^libuv\.so\.1$/];

/**
 * Proves the binary links Debian's libssl3 and libsrtp2 dynamically and compiles in no copy of them (`ldd` alone
 * proves nothing about static copies, so `nm` looks for their functions defined in the binary).
 */
export function verifyLinkage(binary) {
  const dynamic = spawnSync('readelf', ['-d', binary], { encoding: 'utf8' });
  const defined = spawnSync('nm', ['--defined-only', binary], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (dynamic.status !== 0 || defined.status !== 0) {
    log('note: readelf/nm are not available, skipping the linkage check');
    return;
  }
  const needed = [...dynamic.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const missing = SYSTEM_LIBRARIES.filter((re) => !needed.some((lib) => re.test(lib)));
  const bundled = defined.stdout.split('\n').filter((l) => / [Tt] (SSL_|EVP_|srtp_protect|srtp_create|usrsctp_init)/.test(l));
  if (missing.length > 0 || bundled.length > 0) {
    fail(`the worker does not link the system libraries as expected (missing ${missing.map(String).join(', ') || 'none'}; ${bundled.length} bundled functions).`, 'run `npm run build:native -- --force`.');
  }
  log(`worker links the system libraries: ${needed.filter((lib) => SYSTEM_LIBRARIES.some((re) => re.test(lib))).join(', ')} (none bundled)`);
}
