// A small app as a user writes it (create-next-app's shape, no "type" field), for tests that build
// the packed package outside this repository: the packed test and the hosts' build tools.

export const SMALL_APP_FILES: Record<string, string> = {
  'app/layout.tsx': `import { BustedAsset } from 'next-static-bust';
export default function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <BustedAsset src="/css/site.css" integrity />
        <BustedAsset src="/js/hello.js" integrity />
        <BustedAsset src="/fonts/geist.ttf" />
        {children}
      </body>
    </html>
  );
}
`,
  'app/page.tsx': `import { BustedAsset, bust } from 'next-static-bust';
export default function Page() {
  return (
    <main>
      <h1>packed</h1>
      <BustedAsset src="/images/icon.png" alt="" />
      <a href={bust('/images/hero.png')}>hero</a>
    </main>
  );
}
`,
  'public/css/site.css': 'h1 { color: rgb(1, 2, 3); }\n',
  'public/js/hello.js': 'document.documentElement.dataset.packed = "yes";\n',
  'public/images/icon.png': 'not really a png, but bytes all the same\n',
  'public/images/hero.png': 'another file\n',
  'public/fonts/geist.ttf': 'font bytes\n',
  'public/robots.txt': 'User-agent: *\n',
};

/** The files of public/ that the small app's page references busted (the first two with their integrity). */
export const SMALL_APP_ASSETS = ['css/site.css', 'js/hello.js', 'images/icon.png', 'images/hero.png', 'fonts/geist.ttf'];
