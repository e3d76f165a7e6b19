import Image from 'next/image';
import { BustedAsset, bust } from 'next-static-bust';
import { ClientUrl } from './components/ClientUrl';

export default function Home() {
  const stylesheet = bust('/css/site.css');
  const token = process.env.NEXT_STATIC_BUST_TOKEN;
  return (
    <main>
      <h1>next-static-bust</h1>
      <p>
        This page&apos;s stylesheet, font, script and images come from <code>public/</code> under a path
        that holds the build&apos;s token, <code data-testid="token">{token || '(none: next dev serves plain paths)'}</code>, so it is
        served with <code>Cache-Control: immutable</code> and your browser never asks for it again. When a
        file changes, the next build gets a new token and new URLs, so nobody ever sees a stale copy.
      </p>
      <p>
        What you see: this heading&apos;s blue comes from the busted stylesheet, the text&apos;s font from
        the busted font file it preloads, and the busted script <code>js/hello.js</code> marks the page
        (<code>document.documentElement.dataset.helloScript</code> is <code>&quot;ran&quot;</code> in the
        dev tools). The tab&apos;s icon and the Open Graph image in the page&apos;s head are busted too.
      </p>
      <p>
        Server Component, <code>bust(&apos;/css/site.css&apos;)</code>: <code data-testid="server-url">{stylesheet}</code>
      </p>
      <ClientUrl />
      <p>
        Route handler, for clients outside React: <a href="/api/asset-url">/api/asset-url</a> answers the
        busted URLs as JSON.
      </p>
      <h2>An &lt;img&gt; and a next/image</h2>
      <p>
        <code>&lt;BustedAsset src=&quot;/images/icon.png&quot;&gt;</code> renders an <code>&lt;img&gt;</code>; with{' '}
        <code>as={'{Image}'}</code> it renders <code>next/image</code>, which optimizes the busted file.
      </p>
      <BustedAsset src="/images/icon.png" alt="A checkered icon" width={64} height={64} data-testid="img" />{' '}
      <BustedAsset as={Image} src="/images/hero.png" alt="A blue gradient" width={320} height={160} data-testid="next-image" />
      <h2>Plain, for comparison</h2>
      <p>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src="/images/icon.png" alt="The same icon at its plain URL" width={32} height={32} data-testid="plain-img" />{' '}
        <code>/images/icon.png</code> keeps Next.js&apos; default <code>max-age=0</code>: your browser asks for
        it again on every visit.
      </p>
    </main>
  );
}
