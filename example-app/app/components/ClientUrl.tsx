'use client';

import { useState } from 'react';
import { bust } from 'next-static-bust';

/** The same bust() call, made in the browser after hydration. */
export function ClientUrl() {
  const [clicks, setClicks] = useState(0);
  return (
    <p>
      Client Component: <code data-testid="client-url">{bust('/css/site.css')}</code>{' '}
      <button type="button" data-testid="hydrated" onClick={() => setClicks((n) => n + 1)}>
        clicked {clicks}
      </button>
    </p>
  );
}
