// The runtime entry point: safe in Server Components, Client Components, route handlers and the
// edge runtime. Nothing here may import from Node; the config wrapper lives in
// `next-static-bust/config`.
export { bust } from './runtime/bust.js';
export { integrity } from './runtime/integrity.js';
export { BustedAsset, type AssetAs, type AssetKind, type BustedAssetProps, type StaticSrc } from './runtime/BustedAsset.js';
