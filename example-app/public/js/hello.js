// A plain script from public/, loaded through <BustedAsset>. It marks the page so that tests (and
// you, in the dev tools) can see it ran.
document.documentElement.dataset.helloScript = 'ran';
