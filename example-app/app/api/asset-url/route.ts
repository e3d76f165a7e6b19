import { bust } from 'next-static-bust';

// The answer only changes with a build, so it is computed once (and works with output: 'export').
export const dynamic = 'force-static';

// A route handler that hands busted URLs to other clients (an app, an e-mail, a CDN purge job).
export function GET() {
  return Response.json({ stylesheet: bust('/css/site.css'), hero: bust('/images/hero.png') });
}
