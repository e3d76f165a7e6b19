// Type-level tests, checked by `npx tsc -p tsconfig.json --noEmit` (not run by vitest: the name
// does not match *.test.tsx). Every `@ts-expect-error` fails the check if the line type-checks.
import Image, { type StaticImageData } from 'next/image';
import type { ComponentType, ReactElement } from 'react';
import { expectTypeOf } from 'vitest';
import type { NextConfig } from 'next';
import { withStaticBust } from '../../src/config.js';
import { BustedAsset, bust, integrity, type AssetAs, type AssetKind, type BustedAssetProps, type StaticSrc } from '../../src/index.js';

// A static import, as `import hero from './hero.jpg'` gives it.
declare const hero: StaticImageData;

/** A component that requires `width`, like next/image. */
function Sized(props: { src: string; width: number; alt?: string }) {
  return <img src={props.src} width={props.width} alt={props.alt} />;
}
declare const Loose: ComponentType<{ src: string; className?: string }>;

// bust()
expectTypeOf(bust).parameter(0).toEqualTypeOf<string>();
expectTypeOf(bust).returns.toEqualTypeOf<string>();
// @ts-expect-error: the path must be a string
bust(42);
// @ts-expect-error: the path is required
bust();

// integrity()
expectTypeOf(integrity).parameter(0).toEqualTypeOf<string>();
expectTypeOf(integrity).returns.toEqualTypeOf<string | undefined>();
// @ts-expect-error: the path must be a string
integrity(42);

// The exported unions.
expectTypeOf<AssetKind>().toEqualTypeOf<'stylesheet' | 'script' | 'img' | 'video' | 'audio' | 'font'>();
expectTypeOf<AssetAs>().toEqualTypeOf<AssetKind | 'link'>();
expectTypeOf(BustedAsset).returns.toEqualTypeOf<ReactElement>();
expectTypeOf<StaticSrc<typeof Image>>().toMatchTypeOf<object>();
expectTypeOf<StaticSrc<typeof Image>>().not.toBeNever();
expectTypeOf<StaticSrc<typeof Sized>>().toBeNever();

export const accepted = [
  // The element comes from the extension.
  <BustedAsset src="/css/site.css" />,
  <BustedAsset src="/js/app.js" integrity />,
  <BustedAsset src="/css/site.css" integrity="sha384-mine" crossOrigin="use-credentials" />,
  <BustedAsset src="/css/print.css" media="print" precedence="high" className="c" />,
  <BustedAsset src="/js/a.js" defer nonce="n" />,
  <BustedAsset src="/img/a.png" alt="" width={1} height="2" loading="lazy" />,
  <BustedAsset src="/media/a.mp4" autoPlay muted loop playsInline controls />,
  <BustedAsset src="/img/a.png" data-testid="a" aria-hidden />,
  // Every `as` name documented in AssetAs.
  <BustedAsset as="stylesheet" src="/css/theme" precedence="high" />,
  <BustedAsset as="link" src="/css/theme.txt" media="print" />,
  <BustedAsset as="script" src="/js/worker" />,
  <BustedAsset as="img" src="/img/photo.heic" alt="" />,
  <BustedAsset as="video" src="/media/clip" controls />,
  <BustedAsset as="audio" src="/media/sound" controls />,
  <BustedAsset as="font" src="/fonts/icons.bin" />,
  // Components get their own props.
  <BustedAsset as={Sized} src="/img/x.png" width={1} />,
  <BustedAsset as={Sized} src="/img/x.png" width={1} alt="x" />,
  <BustedAsset as={Loose} src="/img/x.png" className="c" />,
  <BustedAsset as={Image} src="/img/hero.jpg" alt="" width={800} height={400} priority />,
  // next/image's static import is passed on as it is (typed `string | StaticImport`).
  <BustedAsset as={Image} src={hero} alt="" />,
  <BustedAsset as="a" src="/files/report.pdf" download>
    Report
  </BustedAsset>,
];

// A wrapper that forwards the props of <BustedAsset> as they are.
export function Asset(props: BustedAssetProps) {
  return <BustedAsset {...props} />;
}
export function SizedAsset(props: BustedAssetProps<typeof Sized>) {
  return <BustedAsset {...props} />;
}
export const wrapped = [<Asset src="/a.css" />, <Asset as="font" src="/f.bin" />, <SizedAsset as={Sized} src="/a.png" width={2} />];

// Written out, the props of a component case still require `as` and the component's props.
export const sizedProps: BustedAssetProps<typeof Sized> = { as: Sized, src: '/a.png', width: 1 };
// @ts-expect-error: `as` is required once a component is named
export const sizedWithoutAs: BustedAssetProps<typeof Sized> = { src: '/a.png', width: 1 };
// @ts-expect-error: width is required by Sized
export const sizedWithoutWidth: BustedAssetProps<typeof Sized> = { as: Sized, src: '/a.png' };
export const fontProps: BustedAssetProps<'font'> = { src: '/f.bin', as: 'font' };
// @ts-expect-error: `as` must be the named kind
export const fontPropsWrongAs: BustedAssetProps<'font'> = { src: '/f.bin', as: 'img' };

export const rejected = [
  // @ts-expect-error: src is required
  <BustedAsset />,
  // @ts-expect-error: src must be a string
  <BustedAsset src={42} />,
  // @ts-expect-error: src must be a string, with a component too
  <BustedAsset as={Sized} src={42} width={1} />,
  // @ts-expect-error: an object src only where the component takes one (Sized takes a string)
  <BustedAsset as={Sized} src={hero} width={1} />,
  // @ts-expect-error: a static import needs a component that takes it
  <BustedAsset src={hero} />,
  // @ts-expect-error: Sized requires width
  <BustedAsset as={Sized} src="/img/x.png" />,
  // @ts-expect-error: Sized's width is a number
  <BustedAsset as={Sized} src="/img/x.png" width="1" />,
  // @ts-expect-error: Sized has no className
  <BustedAsset as={Sized} src="/img/x.png" width={1} className="c" />,
  // @ts-expect-error: not a kind and not an element
  <BustedAsset as="bogus" src="/x" />,
  // @ts-expect-error: the URL goes into href by itself
  <BustedAsset src="/css/a.css" href="/css/b.css" />,
  // @ts-expect-error: unknown prop
  <BustedAsset src="/img/a.png" notAProp />,
  // @ts-expect-error: integrity is a boolean or a value
  <BustedAsset src="/js/app.js" integrity={384} />,
  // @ts-expect-error: next/image needs alt
  <BustedAsset as={Image} src="/img/hero.jpg" width={800} height={400} />,
  // @ts-expect-error: a wrapper without `as` takes no component props
  <Asset src="/a.png" width={{}} />,
];

// Plugins that take a NextConfig (next-intl's, @next/mdx's) accept what withStaticBust() returns,
// so that `withX(withStaticBust(config))` type-checks in next.config.ts (and then stops the build
// with the fix, see config.test.ts), and Next.js accepts it as the default export.
declare function withPlugin(config: NextConfig): NextConfig;
export const pluginOuter = withPlugin(withStaticBust({ reactStrictMode: true }));
export const pluginInner = withStaticBust(withPlugin({ reactStrictMode: true }));
expectTypeOf(withStaticBust({})).toMatchTypeOf<NextConfig>();
expectTypeOf(withStaticBust({})).toBeCallableWith('phase-production-build', { defaultConfig: {} });
