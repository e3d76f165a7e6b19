import type { NextConfig } from 'next';
import { withStaticBust } from 'next-static-bust/config';

const nextConfig: NextConfig = {
  reactStrictMode: true,
};

// Busts every file in public/: /css/site.css becomes /_bust/<token>/css/site.css after a build.
export default withStaticBust(nextConfig);
