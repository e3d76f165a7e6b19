// @vitest-environment jsdom
import { cleanup, render } from '@testing-library/react';
import type { ComponentProps } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BustedAsset, bust } from '../../src/index.js';

// React 19 hoists stylesheets, async scripts and preload links into document.head and remembers
// them by URL for the whole document, so every test below uses paths of its own.

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
});

/** A stand-in for next/image: a component that requires `width` and records what it gets. */
const received: Array<Record<string, unknown>> = [];
function FakeImage(props: { src: string; alt: string; width: number; priority?: boolean }) {
  received.push(props);
  return <img data-fake-image="" src={props.src} alt={props.alt} width={props.width} />;
}

const SETUPS = [
  { name: 'with a token', token: 'tok42', prefix: '/_bust/tok42' },
  { name: 'without a token', token: '', prefix: '' },
] as const;

for (const setup of SETUPS) {
  describe(`<BustedAsset> ${setup.name}`, () => {
    const use = () => {
      vi.stubEnv('NEXT_STATIC_BUST_TOKEN', setup.token);
      vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', '');
      vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', '');
    };
    // Each setup gets its own folder so that URLs differ between setups too.
    const dir = setup.token ? '/t' : '/n';
    const busted = (path: string) => setup.prefix + path;

    describe('stylesheets', () => {
      it('renders a .css file as a stylesheet link with precedence, hoisted into <head>', () => {
        use();
        const { container } = render(<BustedAsset src={`${dir}/css/a.css`} />);
        const link = document.head.querySelector(`link[rel="stylesheet"][href="${busted(`${dir}/css/a.css`)}"]`);
        expect(link).not.toBeNull();
        expect(link!.getAttribute('data-precedence')).toBe('default');
        expect(container.querySelector('link')).toBeNull();
      });

      it('emits the stylesheet link with its precedence in server HTML', () => {
        use();
        const html = renderToString(
          <div>
            <BustedAsset src={`${dir}/css/ssr.css`} />
            <p>text</p>
          </div>,
        );
        expect(html).toBe(
          `<link rel="stylesheet" href="${busted(`${dir}/css/ssr.css`)}" data-precedence="default"/><div><p>text</p></div>`,
        );
      });

      it('puts the stylesheet into <head> of a server-rendered document', () => {
        use();
        const html = renderToString(
          <html>
            <head />
            <body>
              <BustedAsset src={`${dir}/css/doc.css`} />
            </body>
          </html>,
        );
        expect(html).toContain(
          `<head><link rel="stylesheet" href="${busted(`${dir}/css/doc.css`)}" data-precedence="default"/></head>`,
        );
      });

      it('passes media and className through and lets precedence be overridden', () => {
        use();
        render(<BustedAsset src={`${dir}/css/print.css`} media="print" className="c" precedence="high" />);
        const link = document.head.querySelector(`link[rel="stylesheet"][href="${busted(`${dir}/css/print.css`)}"]`);
        expect(link).not.toBeNull();
        expect(link!.getAttribute('media')).toBe('print');
        expect(link!.getAttribute('class')).toBe('c');
        expect(link!.getAttribute('data-precedence')).toBe('high');
      });

      it('renders as="link" as a stylesheet, whatever the extension', () => {
        use();
        const html = renderToString(<BustedAsset as="link" src={`${dir}/css/theme.txt`} />);
        expect(html).toBe(`<link rel="stylesheet" href="${busted(`${dir}/css/theme.txt`)}" data-precedence="default"/>`);
      });

      it('renders as="stylesheet" as a stylesheet, whatever the extension', () => {
        use();
        const html = renderToString(<BustedAsset as="stylesheet" src={`${dir}/css/theme`} />);
        expect(html).toBe(`<link rel="stylesheet" href="${busted(`${dir}/css/theme`)}" data-precedence="default"/>`);
      });
    });

    describe('scripts', () => {
      it('renders a .js file as an async script, hoisted into <head>', () => {
        use();
        const { container } = render(<BustedAsset src={`${dir}/js/a.js`} />);
        const script = document.head.querySelector(`script[src="${busted(`${dir}/js/a.js`)}"]`);
        expect(script).not.toBeNull();
        expect(script!.hasAttribute('async')).toBe(true);
        expect(container.querySelector('script')).toBeNull();
      });

      it('emits an async script in server HTML, for .js and .mjs', () => {
        use();
        expect(renderToString(<BustedAsset src={`${dir}/js/ssr.js`} />)).toBe(
          `<script async="" src="${busted(`${dir}/js/ssr.js`)}"></script>`,
        );
        expect(renderToString(<BustedAsset src={`${dir}/js/ssr.mjs`} />)).toBe(
          `<script async="" src="${busted(`${dir}/js/ssr.mjs`)}"></script>`,
        );
      });

      it('renders as="script" for a file whose extension says nothing', () => {
        use();
        expect(renderToString(<BustedAsset as="script" src={`${dir}/js/worker`} />)).toBe(
          `<script async="" src="${busted(`${dir}/js/worker`)}"></script>`,
        );
      });
    });

    describe('images', () => {
      for (const ext of ['png', 'svg', 'jpg', 'JPEG', 'webp']) {
        it(`renders a .${ext} file as <img> with the busted src and the alt text`, () => {
          use();
          const src = `${dir}/img/logo-${ext}.${ext}`;
          const { container } = render(<BustedAsset src={src} alt={`Logo ${ext}`} />);
          const img = container.querySelector('img');
          expect(img).not.toBeNull();
          expect(img!.getAttribute('src')).toBe(busted(src));
          expect(img!.getAttribute('alt')).toBe(`Logo ${ext}`);
        });
      }

      it('emits the <img> with the busted src in server HTML', () => {
        use();
        const html = renderToString(<BustedAsset src={`${dir}/img/ssr.png`} alt="A" width={10} height={20} />);
        // React 19 also adds a preload for an image it renders on the server.
        expect(html).toContain(`<img alt="A" width="10" height="20" src="${busted(`${dir}/img/ssr.png`)}"/>`);
      });

      it('passes className, data-* and dimensions through', () => {
        use();
        const { container } = render(
          <BustedAsset src={`${dir}/img/p.png`} alt="" className="logo" data-testid="logo" width={64} height={32} />,
        );
        const img = container.querySelector('img')!;
        expect(img.getAttribute('class')).toBe('logo');
        expect(img.getAttribute('data-testid')).toBe('logo');
        expect(img.getAttribute('width')).toBe('64');
        expect(img.getAttribute('height')).toBe('32');
      });

      it('does not let a src-like prop replace the busted URL', () => {
        use();
        const props = { alt: '', src: `${dir}/img/real.png` } as const;
        const { container } = render(<BustedAsset {...props} />);
        expect(container.querySelector('img')!.getAttribute('src')).toBe(busted(`${dir}/img/real.png`));
      });

      it('renders as="img" for an unknown extension', () => {
        use();
        const { container } = render(<BustedAsset as="img" src={`${dir}/img/photo.heic`} alt="Photo" />);
        const img = container.querySelector('img');
        expect(img).not.toBeNull();
        expect(img!.getAttribute('src')).toBe(busted(`${dir}/img/photo.heic`));
        expect(img!.getAttribute('alt')).toBe('Photo');
      });

      it('chooses the element from the path, not from the query or fragment', () => {
        use();
        const { container } = render(<BustedAsset src={`${dir}/img/q.svg?v=2#icon.css`} alt="" />);
        expect(container.querySelector('img')!.getAttribute('src')).toBe(busted(`${dir}/img/q.svg`) + '?v=2#icon.css');
      });
    });

    describe('video and audio', () => {
      it('renders a .mp4 file as <video> with the busted src and its props', () => {
        use();
        const { container } = render(<BustedAsset src={`${dir}/media/a.mp4`} controls muted className="v" />);
        const video = container.querySelector('video');
        expect(video).not.toBeNull();
        expect(video!.getAttribute('src')).toBe(busted(`${dir}/media/a.mp4`));
        expect(video!.hasAttribute('controls')).toBe(true);
        expect(video!.getAttribute('class')).toBe('v');
      });

      it('renders a .mp3 file as <audio> with the busted src', () => {
        use();
        const { container } = render(<BustedAsset src={`${dir}/media/a.mp3`} controls />);
        const audio = container.querySelector('audio');
        expect(audio).not.toBeNull();
        expect(audio!.getAttribute('src')).toBe(busted(`${dir}/media/a.mp3`));
        expect(container.querySelector('video')).toBeNull();
      });

      it('emits <video> and <audio> in server HTML', () => {
        use();
        expect(renderToString(<BustedAsset src={`${dir}/media/s.webm`} />)).toBe(
          `<video src="${busted(`${dir}/media/s.webm`)}"></video>`,
        );
        expect(renderToString(<BustedAsset src={`${dir}/media/s.ogg`} />)).toBe(
          `<audio src="${busted(`${dir}/media/s.ogg`)}"></audio>`,
        );
      });
    });

    describe('fonts', () => {
      const fonts = [
        ['woff2', 'font/woff2'],
        ['ttf', 'font/ttf'],
        ['woff', 'font/woff'],
        ['otf', 'font/otf'],
      ] as const;
      for (const [ext, type] of fonts) {
        it(`renders a .${ext} file as a font preload of type ${type}, hoisted into <head>`, () => {
          use();
          const src = `${dir}/fonts/a.${ext}`;
          const { container } = render(<BustedAsset src={src} />);
          const link = document.head.querySelector(`link[href="${busted(src)}"]`);
          expect(link).not.toBeNull();
          expect(link!.getAttribute('rel')).toBe('preload');
          expect(link!.getAttribute('as')).toBe('font');
          expect(link!.getAttribute('type')).toBe(type);
          // React's preload() writes `crossorigin=""`: the anonymous mode, as a font needs.
          expect(link!.getAttribute('crossorigin')).toBe('');
          expect(container.querySelector('link')).toBeNull();
        });
      }

      it('emits the font preload in server HTML, once however often it is rendered', () => {
        use();
        const url = busted(`${dir}/fonts/s.woff2`);
        const html = renderToString(
          <html>
            <head />
            <body>
              <BustedAsset src={`${dir}/fonts/s.woff2`} />
              <BustedAsset src={`${dir}/fonts/s.woff2`} />
            </body>
          </html>,
        );
        expect(html.match(/<link [^>]*>/g)).toEqual([
          `<link rel="preload" href="${url}" as="font" crossorigin="" type="font/woff2"/>`,
        ]);
      });

      it('preloads once in the browser however often it is rendered', () => {
        use();
        const src = `${dir}/fonts/twice.woff2`;
        render(
          <>
            <BustedAsset src={src} />
            <BustedAsset src={src} />
          </>,
        );
        expect(document.head.querySelectorAll(`link[href="${busted(src)}"]`)).toHaveLength(1);
      });

      it('renders as="font" for an unknown extension, without a type', () => {
        use();
        const html = renderToString(
          <html>
            <head />
            <body>
              <BustedAsset as="font" src={`${dir}/fonts/icons.bin`} />
              <BustedAsset as="font" src={`${dir}/fonts/icons.constructor`} />
            </body>
          </html>,
        );
        expect(html.match(/<link [^>]*>/g)).toEqual([
          `<link rel="preload" href="${busted(`${dir}/fonts/icons.bin`)}" as="font" crossorigin=""/>`,
          `<link rel="preload" href="${busted(`${dir}/fonts/icons.constructor`)}" as="font" crossorigin=""/>`,
        ]);
      });

      it('puts preload options into the preload, and renders the element with any other prop', () => {
        use();
        const url = busted(`${dir}/fonts/o.woff2`);
        expect(
          renderToString(
            <html>
              <head />
              <body>
                <BustedAsset src={`${dir}/fonts/o.woff2`} crossOrigin="anonymous" fetchPriority="high" media="(min-width: 1px)" />
              </body>
            </html>,
          ).match(/<link [^>]*>/g),
        ).toEqual([
          `<link rel="preload" href="${url}" as="font" crossorigin="" type="font/woff2" fetchPriority="high" media="(min-width: 1px)"/>`,
        ]);
        expect(renderToString(<BustedAsset src={`${dir}/fonts/o.woff2`} id="f" />)).toBe(
          `<link rel="preload" as="font" type="font/woff2" crossorigin="anonymous" id="f" href="${url}"/>`,
        );
        // preload() would make it anonymous: the element keeps the credentials asked for.
        expect(renderToString(<BustedAsset src={`${dir}/fonts/o.woff2`} crossOrigin="use-credentials" />)).toBe(
          `<link rel="preload" as="font" type="font/woff2" crossorigin="use-credentials" href="${url}"/>`,
        );
      });
    });

    describe('components passed as `as`', () => {
      it('gives a component the busted src and every other prop', () => {
        use();
        received.length = 0;
        const { container } = render(
          <BustedAsset as={FakeImage} src={`${dir}/img/hero.jpg`} alt="Hero" width={800} priority />,
        );
        expect(received).toHaveLength(1);
        expect(received[0]).toEqual({ src: busted(`${dir}/img/hero.jpg`), alt: 'Hero', width: 800, priority: true });
        expect(received[0]).not.toHaveProperty('as');
        const img = container.querySelector('img[data-fake-image]');
        expect(img!.getAttribute('src')).toBe(busted(`${dir}/img/hero.jpg`));
      });

      it('renders a component whatever the extension, even an unknown one', () => {
        use();
        const Download = (props: ComponentProps<'a'> & { src: string }) => <a href={props.src}>{props.children}</a>;
        const { container } = render(
          <BustedAsset as={Download} src={`${dir}/files/report.pdf`}>
            Report
          </BustedAsset>,
        );
        const a = container.querySelector('a')!;
        expect(a.getAttribute('href')).toBe(busted(`${dir}/files/report.pdf`));
        expect(a.textContent).toBe('Report');
      });

      it('renders the component in server HTML too', () => {
        use();
        // (React 19 puts a preload of the image in front of it.)
        expect(renderToString(<BustedAsset as={FakeImage} src={`${dir}/img/s.jpg`} alt="S" width={5} />)).toContain(
          `<img data-fake-image="" src="${busted(`${dir}/img/s.jpg`)}" alt="S" width="5"/>`,
        );
      });
    });

    describe('errors', () => {
      it('throws a TypeError that names `as` for an unknown extension', () => {
        use();
        const call = () => renderToString(<BustedAsset src={`${dir}/files/report.pdf`} />);
        expect(call).toThrow(TypeError);
        expect(call).toThrow(`<BustedAsset src="${dir}/files/report.pdf"> cannot tell what to render for ".pdf" files`);
        expect(call).toThrow('Pass `as`');
        expect(call).toThrow(/^\[next-static-bust\] /);
      });

      it('throws a TypeError for a file without an extension', () => {
        use();
        expect(() => BustedAsset({ src: `${dir}/LICENSE` })).toThrow(TypeError);
        expect(() => BustedAsset({ src: `${dir}/LICENSE` })).toThrow('a file without an extension');
        expect(() => BustedAsset({ src: `${dir}/.png` })).toThrow('a file without an extension');
      });

      it('throws the same error out of a client render', () => {
        use();
        const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
        try {
          expect(() => render(<BustedAsset src={`${dir}/files/x.unknownext`} />)).toThrow(
            /cannot tell what to render for "\.unknownext" files\. Pass `as`/,
          );
        } finally {
          spy.mockRestore();
        }
      });

      const notStrings: Array<[unknown, string]> = [
        [42, 'number'],
        [null, 'null'],
        [undefined, 'undefined'],
        [{ path: '/a.png' }, 'object'],
      ];
      for (const [src, kind] of notStrings) {
        it(`throws a TypeError when src is ${kind === 'undefined' ? 'missing' : `a ${kind}`}`, () => {
          use();
          const call = () => renderToString(<BustedAsset src={src as string} />);
          expect(call).toThrow(TypeError);
          expect(call).toThrow(`[next-static-bust] Expected \`src\` to be a string, got \`${kind}\``);
        });
      }

      it("passes a component's static import (next/image's) on unchanged", () => {
        use();
        received.length = 0;
        const hero = { src: '/_next/static/media/hero.0123abcd.jpg', width: 800, height: 400 };
        renderToString(<BustedAsset as={FakeImage} src={hero as unknown as string} alt="" width={800} />);
        expect(received).toHaveLength(1);
        expect(received[0]!.src).toBe(hero);
      });

      it('throws for a non-string src even when `as` is given', () => {
        use();
        expect(() => BustedAsset({ as: FakeImage, src: 42 as unknown as string, alt: '', width: 1 })).toThrow(
          'Expected `src` to be a string',
        );
        expect(received.some((props) => props.src === 42)).toBe(false);
      });
    });

    it('leaves external URLs unchanged', () => {
      use();
      const { container } = render(<BustedAsset src="https://cdn.example.com/x.png" alt="" />);
      expect(container.querySelector('img')!.getAttribute('src')).toBe('https://cdn.example.com/x.png');
    });

    it('uses the same URL as bust()', () => {
      use();
      const { container } = render(<BustedAsset src={`${dir}/img/same.png?v=1`} alt="" />);
      expect(container.querySelector('img')!.getAttribute('src')).toBe(bust(`${dir}/img/same.png?v=1`));
    });
  });
}

describe('<BustedAsset> with a basePath and a custom namespace', () => {
  it('puts the basePath and namespace in the URL', () => {
    vi.stubEnv('NEXT_STATIC_BUST_TOKEN', 'abc');
    vi.stubEnv('NEXT_STATIC_BUST_NAMESPACE', 'v');
    vi.stubEnv('NEXT_STATIC_BUST_BASE_PATH', '/docs');
    const { container } = render(<BustedAsset src="/bp/img/a.png" alt="" />);
    expect(container.querySelector('img')!.getAttribute('src')).toBe('/docs/v/abc/bp/img/a.png');
  });
});
