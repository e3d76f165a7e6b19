'use client';

import { useState } from 'react';
import { BustedAsset, bust } from 'next-static-bust';

/** The same bust() call and <BustedAsset>, rendered again in the browser when it hydrates. */
export function ClientUrl() {
  const [clicks, setClicks] = useState(0);
  return (
    <p>
      Client Component: <code data-testid="client-url">{bust('/css/site.css')}</code>, the same URL after
      hydration, and a <code>&lt;BustedAsset&gt;</code> rendered in the browser:{' '}
      <BustedAsset src="/images/icon.png" alt="The icon, rendered by the Client Component" width={16} height={16} data-testid="client-img" />
      . This button counts only once React has hydrated the page:{' '}
      <button type="button" data-testid="hydrated" aria-label={`Hydration check: clicked ${clicks} times`} onClick={() => setClicks((n) => n + 1)}>
        clicked {clicks}
      </button>
    </p>
  );
}
