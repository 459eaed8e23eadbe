// A real OpenID provider for the tests: node provider.mjs PORT REDIRECT_URI
// Accounts (any password): alice is in "alpha-team", hugo in "pmo-office",
// mallory only in "unknown-group". Client-credentials clients stand in for API
// robots: their access tokens are JWTs for the resource asked, with groups.
import Provider from "oidc-provider";

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const GROUPS = {
  alice: ["alpha-team"],
  hugo: ["pmo-office"],
  mallory: ["unknown-group"],
};
const ROBOTS = {
  "robot-auditor": ["audit-office"],
  "robot-stranger": ["unknown-group"],
  "robot-brief": ["audit-office"],
};

const robot = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  grant_types: ["client_credentials"],
  redirect_uris: [],
  response_types: [],
});

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "pmo-ledger",
      client_secret: "pmo-ledger-secret",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
    ...Object.keys(ROBOTS).map(robot),
  ],
  claims: { openid: ["sub"], profile: ["name"], groups: ["groups"] },
  scopes: ["openid", "profile", "groups"],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => "urn:pmo-ledger:api",
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => ({
        scope: "api",
        audience: resource,
        accessTokenFormat: "jwt",
        accessTokenTTL: client.clientId === "robot-brief" ? 1 : 600,
      }),
    },
  },
  extraTokenClaims: (ctx, token) =>
    token.clientId in ROBOTS ? { groups: ROBOTS[token.clientId] } : {},
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, name: `${id} (IdP)`, groups: GROUPS[id] || [] }),
  }),
  cookies: { keys: ["test-only-cookie-key"] },
});
provider.proxy = true;
provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});
