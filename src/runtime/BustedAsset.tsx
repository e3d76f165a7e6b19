import type {
  ComponentPropsWithoutRef,
  ElementType,
  ImgHTMLAttributes,
  JSX,
  LinkHTMLAttributes,
  ReactElement,
  ScriptHTMLAttributes,
  VideoHTMLAttributes,
} from 'react';
import { preload, type PreloadOptions } from 'react-dom';
import { bust } from './bust.js';
import { integrity } from './integrity.js';

/** The elements `<BustedAsset>` can render by itself, chosen from the file's extension or `as`. */
export type AssetKind = 'stylesheet' | 'script' | 'img' | 'video' | 'audio' | 'font';

/** `as` values that pick a built-in element; `'link'` means a stylesheet. */
export type AssetAs = AssetKind | 'link';

// What each extension is, in lower case. Anything else needs `as`.
const KINDS: Record<string, AssetKind> = {
  css: 'stylesheet',
  js: 'script',
  mjs: 'script',
  ...Object.fromEntries(
    ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'apng'].map((e) => [e, 'img']),
  ),
  ...Object.fromEntries(['mp4', 'webm', 'ogv', 'mov', 'm4v'].map((e) => [e, 'video'])),
  ...Object.fromEntries(['mp3', 'wav', 'ogg', 'oga', 'm4a', 'aac', 'flac', 'opus'].map((e) => [e, 'audio'])),
  ...Object.fromEntries(['woff2', 'woff', 'ttf', 'otf', 'eot'].map((e) => [e, 'font'])),
};

// `as` values that pick a built-in element, and the element each picks. Any other `as` (a tag
// name or a component) is rendered as it is, with the busted `src`.
const BUILT_IN: Partial<Record<string, AssetKind>> = {
  stylesheet: 'stylesheet',
  link: 'stylesheet',
  script: 'script',
  img: 'img',
  video: 'video',
  audio: 'audio',
  font: 'font',
};

const FONT_TYPES: Record<string, string> = {
  woff2: 'font/woff2',
  woff: 'font/woff',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
};

/** Props that any of the built-in elements accepts, besides `src`. */
type IntrinsicAssetProps = Omit<
  LinkHTMLAttributes<HTMLLinkElement> &
    ScriptHTMLAttributes<HTMLScriptElement> &
    ImgHTMLAttributes<HTMLImageElement> &
    VideoHTMLAttributes<HTMLVideoElement>,
  'src' | 'href' | 'as' | 'integrity'
> & {
  /** React 19 stylesheet precedence; stylesheets default to `"default"` so they go into `<head>`. */
  precedence?: string;
  /**
   * `true`: the `integrity` the build computed from the bytes this URL serves, with
   * `crossOrigin="anonymous"` (a script, a stylesheet); nothing when the build computed none. A
   * string is rendered as it is.
   */
  integrity?: boolean | string;
};

/**
 * Props of `<BustedAsset>`: `src` (a path in `public/`), an optional `as`, and the props of the
 * element or component that is rendered.
 */
// `C` is inferred from `as`, so it may be one of the built-in names: `as="font"` infers `"font"`,
// which is no `ElementType`. Those (and `"img"`, `"link"`, … that are both) take the built-in props.
// `as` is optional, so that a wrapper can pass on a `BustedAssetProps` as is, and typed as plain
// `C` one conditional type deep: TypeScript then infers `C` as written (deeper, or through a
// conditional type of its own, it infers a `ComponentType` as `ComponentClass` alone). The
// component case makes it required through `{ as: unknown }`.
export type BustedAssetProps<C extends ElementType | AssetAs = never> = [C] extends [never]
  ? { src: string; as?: AssetAs } & IntrinsicAssetProps
  : [C] extends [AssetAs]
    ? { src: string; as?: C } & IntrinsicAssetProps
    : { src: string | StaticSrc<Exclude<C, AssetAs>>; as?: C } & { as: unknown } & Omit<
        ComponentPropsWithoutRef<Exclude<C, AssetAs>>,
        'src' | 'as'
      >;

/**
 * What a component's own `src` takes besides a path, such as `next/image`'s static import
 * (`import hero from './hero.jpg'`): passed on unchanged, since the bundler fingerprinted it already.
 */
export type StaticSrc<C extends ElementType> =
  ComponentPropsWithoutRef<C> extends { src?: infer S }
    ? unknown extends S // a component that takes anything (or is not known yet): paths only
      ? never
      : Exclude<S, string | undefined | null>
    : never;

/**
 * Renders a file of `public/` with its cache-busted URL, as the element the file calls for:
 *
 * | file                         | renders                                                   |
 * | ---------------------------- | --------------------------------------------------------- |
 * | `.css`                       | `<link rel="stylesheet" precedence="default">` (in `<head>`) |
 * | `.js`, `.mjs`                | `<script async>`                                          |
 * | images (`.png`, `.svg`, …)   | `<img>`                                                   |
 * | `.mp4`, `.webm`, …           | `<video>`                                                 |
 * | `.mp3`, `.ogg`, …            | `<audio>`                                                 |
 * | `.woff2`, `.woff`, `.ttf`, … | `<link rel="preload" as="font" crossOrigin="anonymous">`, through `preload()`, in `<head>` |
 *
 * `as` picks the element yourself (one of the kinds above), or renders a component with the busted
 * `src`, such as `next/image`'s `Image`. Every other prop is passed on. It has no state and no
 * effects, so it works in Server Components and Client Components alike.
 *
 * @example
 * ```tsx
 * import Image from 'next/image';
 * import { BustedAsset } from 'next-static-bust';
 *
 * export default function Layout({ children }: { children: React.ReactNode }) {
 *   return (
 *     <html lang="en">
 *       <body>
 *         <BustedAsset src="/css/site.css" />
 *         <BustedAsset src="/js/analytics.js" />
 *         <BustedAsset src="/images/logo.png" alt="Logo" width={120} height={40} />
 *         <BustedAsset as={Image} src="/images/hero.jpg" alt="" width={800} height={400} />
 *         {children}
 *       </body>
 *     </html>
 *   );
 * }
 * ```
 *
 * @throws {TypeError} When `src` is not a string, or when its extension does not say what to
 * render and there is no `as`.
 */
export function BustedAsset<C extends ElementType | AssetAs = never>(props: BustedAssetProps<C>): ReactElement {
  const { src, as, ...rest } = props as { src: unknown; as?: AssetAs | ElementType } & Record<string, unknown>;
  const chosen = typeof as === 'string' && Object.hasOwn(BUILT_IN, as) ? BUILT_IN[as] : undefined;
  const Component = as !== undefined && !chosen ? (as as ElementType) : undefined;
  // A component's static import (next/image's): its URL is the bundler's, fingerprinted already.
  if (Component && typeof src === 'object' && src !== null && !Array.isArray(src)) return <Component src={src} {...rest} />;
  if (typeof src !== 'string') {
    throw new TypeError(
      `[next-static-bust] Expected \`src\` to be a string${Component ? " or the component's static import" : ''}, ` +
        `got \`${src === null ? 'null' : typeof src}\`. ` +
        'Pass the path of a file in public/, such as <BustedAsset src="/css/site.css" />.',
    );
  }
  const url = bust(src);
  if (Component) return <Component src={url} {...rest} />;
  const ext = extension(src);
  const kind = chosen ?? KINDS[ext];
  // An <img>, <video> or <audio> has no integrity: a `true` is never passed on to the DOM, and
  // looked up only for the elements that check it.
  const wanted = rest.integrity;
  delete rest.integrity;
  const checked = kind === 'stylesheet' || kind === 'script' || kind === 'font';
  const value = !checked ? undefined : wanted === true ? integrity(src) : typeof wanted === 'string' ? wanted : undefined;
  if (value) {
    rest.integrity = value;
    rest.crossOrigin ??= 'anonymous';
  }
  switch (kind) {
    case 'stylesheet':
      return <link rel="stylesheet" precedence="default" {...(rest as JSX.IntrinsicElements['link'])} href={url} />;
    case 'script':
      return <script async {...(rest as JSX.IntrinsicElements['script'])} src={url} />;
    case 'img':
      return <img {...(rest as JSX.IntrinsicElements['img'])} src={url} />;
    case 'video':
      return <video {...(rest as JSX.IntrinsicElements['video'])} src={url} />;
    case 'audio':
      return <audio {...(rest as JSX.IntrinsicElements['audio'])} src={url} />;
    case 'font': {
      const options = preloadOptions(rest, ext);
      if (options) {
        preload(url, options);
        return <></>;
      }
      // Props that preload() cannot carry (an id, a class): the element as written. In a Server
      // Component React then also emits a preload of its own for it (two tags, one fetch).
      return (
        <link
          rel="preload"
          as="font"
          type={Object.hasOwn(FONT_TYPES, ext) ? FONT_TYPES[ext] : undefined}
          crossOrigin="anonymous"
          {...(rest as JSX.IntrinsicElements['link'])}
          href={url}
        />
      );
    }
    default:
      throw new TypeError(
        `[next-static-bust] <BustedAsset src="${src}"> cannot tell what to render for ` +
          `${ext ? `".${ext}" files` : 'a file without an extension'}. ` +
          'Pass `as`: "stylesheet", "script", "img", "video", "audio", "font", or a component.',
      );
  }
}

// The props of a font preload that ReactDOM.preload() takes as options.
// crossOrigin is not among them: React preloads every font as `crossorigin=""` (anonymous), so
// only that value, or "anonymous", keeps the preload.
const PRELOAD_OPTIONS = new Set(['type', 'integrity', 'nonce', 'fetchPriority', 'referrerPolicy', 'media']);

/**
 * The options of ReactDOM.preload() for a font with these props, or undefined when a prop has no
 * option. A `<link rel="preload">` element written in a Server Component becomes two identical
 * tags: React's server turns it into a preload hint and also renders the element. preload() makes
 * one tag, in Server and Client Components alike, and one for each URL however often it is called.
 */
function preloadOptions(props: Record<string, unknown>, ext: string): PreloadOptions | undefined {
  const options: Record<string, unknown> = { as: 'font', crossOrigin: 'anonymous' };
  if (Object.hasOwn(FONT_TYPES, ext)) options.type = FONT_TYPES[ext];
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || (name === 'crossOrigin' && (value === 'anonymous' || value === ''))) continue;
    if (!PRELOAD_OPTIONS.has(name) || typeof value !== 'string') return undefined;
    options[name] = value;
  }
  return options as unknown as PreloadOptions;
}

/** The lower-case extension of the path part of `src`, without the dot. */
function extension(src: string): string {
  const path = src.split(/[?#]/, 1)[0]!;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
