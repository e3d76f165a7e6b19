'use client';

import { useState } from 'react';
import { BustedAsset, bust } from 'next-static-bust';

/** The same bust() call and <BustedAsset>, rendered again in the browser when it hydrates. */
export function ClientUrl() {
  const [clicks, setClicks] = useState(0);
  return (
    <p>
      Client Component: <code data-testid="client-url">{bust('/css/site.css')}</code>{' '}
      <BustedAsset src="/images/icon.png" alt="" width={16} height={16} data-testid="client-img" />{' '}
      <button type="button" data-testid="hydrated" onClick={() => setClicks((n) => n + 1)}>
        clicked {clicks}
      </button>
    </p>
  );
}
