/**
 * `npm run build:desktop`: bundles the Electron main process and the preload script with
 * esbuild into dist/desktop, which is the whole app electron-builder packs (electron-builder.yml
 * `directories.app`): its own package.json without dependencies, main.cjs, preload.cjs, the icons,
 * and a copy of the renderer build. Every dependency the main process uses is inside main.cjs,
 * so the installed app carries no node_modules: no server code, no development tools.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `linux.executableName` + `.desktop`, which `linux.syncDesktopName` makes the installed name. */
export const DESKTOP_FILE_NAME = 'clinicpulse.desktop';

export interface DesktopBuildOptions {
  /** Where the app directory is written; dist/desktop by default. */
  outDir?: string;
  /** The renderer build to include; dist/renderer by default. */
  rendererDir?: string;
}

export interface DesktopBuild {
  outDir: string;
  /** Every source file bundled into main.cjs and preload.cjs, relative to the repository root. */
  inputs: string[];
  rendererIncluded: boolean;
}

/**
 * The shared protocol modules only declare constants and schemas. Telling esbuild so lets it
 * drop what a bundle does not use: the preload needs the channel names, not zod.
 */
const commonHasNoSideEffects: Plugin = {
  name: 'common-has-no-side-effects',
  setup(context) {
    context.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const path = join(args.resolveDir, args.path);
      if (!path.startsWith(join(ROOT, 'common') + sep)) return undefined;
      return { path: path.replace(/\.js$/, '.ts'), sideEffects: false };
    });
  },
};

export async function buildDesktop(options: DesktopBuildOptions = {}): Promise<DesktopBuild> {
  const outDir = options.outDir ?? join(ROOT, 'dist', 'desktop');
  const rendererDir = options.rendererDir ?? join(ROOT, 'dist', 'renderer');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });

  const shared: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    sourcemap: 'linked',
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [commonHasNoSideEffects],
    define: { 'process.env.NODE_ENV': '"production"' },
  };
  const [main, preload] = await Promise.all([
    build({
      ...shared,
      entryPoints: [join(ROOT, 'main', 'main.ts')],
      outfile: join(outDir, 'main.cjs'),
    }),
    // A sandboxed preload may require only `electron`; everything else must be inside it.
    build({
      ...shared,
      platform: 'browser',
      entryPoints: [join(ROOT, 'main', 'preload.ts')],
      outfile: join(outDir, 'preload.cjs'),
    }),
  ]);

  for (const name of [
    'icon.png',
    'tray.png',
    'tray@2x.png',
    'tray-unread.png',
    'tray-unread@2x.png',
    'unread-overlay.png',
  ])
    cpSync(
      join(ROOT, 'build', name === 'icon.png' ? 'icons/256x256.png' : name),
      join(outDir, 'assets', name),
    );

  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const appPackage = {
    name: root.name,
    productName: root.productName,
    version: root.version,
    description: root.description,
    license: root.license,
    author: { name: 'ClinicPulse', email: 'it@clinicpulse.invalid' },
    homepage: 'https://clinicpulse.invalid',
    main: 'main.cjs',
    // Electron names itself to the Linux desktop by this (app_id, WM_CLASS, libnotify's
    // desktop-entry hint, the launcher badge); it must be the .desktop file the deb installs.
    desktopName: DESKTOP_FILE_NAME,
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);

  const rendererIncluded = existsSync(join(rendererDir, 'index.html'));
  if (rendererIncluded) cpSync(rendererDir, join(outDir, 'renderer'), { recursive: true });

  return {
    outDir,
    inputs: [...inputsOf(main.metafile), ...inputsOf(preload.metafile)],
    rendererIncluded,
  };
}

function inputsOf(metafile: Metafile | undefined): string[] {
  return Object.keys(metafile?.inputs ?? {}).map((input) =>
    relative(ROOT, join(ROOT, input)).split('\\').join('/'),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildDesktop();
  console.log(
    `desktop app built in ${relative(ROOT, result.outDir)}${result.rendererIncluded ? '' : ' (without the renderer: run `npm run build:renderer` first)'}`,
  );
}
