# Sourced by the scripts that install our packages as a user would. Drops the
# npm settings that this repository's own `npm run`/`npx` put in the
# environment (npm_config_legacy_peer_deps from our .npmrc, among others),
# so a consumer project resolves its peers as the user's npm does.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^npm_(config|package|lifecycle|command|execpath|node_execpath)' || true)
