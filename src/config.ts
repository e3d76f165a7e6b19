// The config entry point, `next-static-bust/config`: withStaticBust() for next.config and its
// types. Node.js only: it runs where next.config runs (the runtime entry is index.ts).
export { withStaticBust, type ConfigContext, type NextConfigInput, type StaticBustConfig } from './plugin/with-static-bust.js';
export type { Platform, StaticBustOptions, Strategy, TokenSource } from './plugin/options.js';
export { IMMUTABLE } from './plugin/bust-routes.js';
