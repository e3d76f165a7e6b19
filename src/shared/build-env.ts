// The `env` entries that carry a build's choices from next.config into its bundles (bust() reads them
// as literal `process.env.NEXT_STATIC_BUST_…`, which Next.js inlines) and into `next start`.
/** Names of the `env` entries that carry the settings from next.config into `bust()`. */
export const ENV_TOKEN = 'NEXT_STATIC_BUST_TOKEN';
export const ENV_NAMESPACE = 'NEXT_STATIC_BUST_NAMESPACE';
export const ENV_BASE_PATH = 'NEXT_STATIC_BUST_BASE_PATH';
export const ENV_ASSET_HOST = 'NEXT_STATIC_BUST_ASSET_HOST';
/** Per-file fingerprints (`granularity: 'file'`), encoded by runtime/fingerprint-map.ts; empty for one token. */
export const ENV_FILES = 'NEXT_STATIC_BUST_FILES';
/** How the build serves busted URLs (`links` or `static`), so that `next start` does the same. */
export const ENV_SERVING = 'NEXT_STATIC_BUST_SERVING';
