import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { BustedAsset, bust } from 'next-static-bust';

// Metadata URLs go through bust() too: icons and the Open Graph image get busted paths. Open Graph
// needs absolute URLs: metadataBase is the site's origin (set SITE_URL where it is deployed).
export async function generateMetadata(): Promise<Metadata> {
  return {
    metadataBase: new URL(process.env.SITE_URL ?? 'http://localhost:3000'),
    title: 'next-static-bust example',
    description: 'Path-based cache busting for public/ in a Next.js App Router app.',
    icons: { icon: bust('/images/icon.png') },
    openGraph: { images: [bust('/images/hero.png')] },
  };
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {/* React 19 hoists the stylesheet and the font preload into <head>. `integrity` adds the
            digest of the bytes each busted URL serves: the browser refuses an altered copy. */}
        <BustedAsset src="/css/site.css" integrity />
        <BustedAsset src="/fonts/geist.ttf" />
        <BustedAsset src="/js/hello.js" integrity />
        {children}
      </body>
    </html>
  );
}
