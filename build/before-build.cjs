// electron-builder's beforeBuild hook (electron-builder.yml). dist/desktop is complete as
// scripts/build-desktop.ts writes it: main.cjs and preload.cjs carry every dependency inside.
// Answering false tells electron-builder that node_modules are handled here, so it neither
// rebuilds native modules nor falls back to collecting the project root's node_modules (the
// server's express, ioredis, better-sqlite3…) into app.asar, which it does for an app that
// declares no dependencies.
exports.default = async function beforeBuild() {
  return false;
};
