/**
 * Help texts of the commands that talk to a printer, apart from their code: the command table
 * (index.ts) shows them without importing @trustnoone/client (issue 20: `tno print --help` should
 * not pay for loading what printing needs).
 */

/** The help lines of connectionFlags (client-common.ts), which every command that talks to a printer takes. */
export const connectionUsage = `  -d, --destination NAME  a printer added with 'tno printer add NAME URI' (its URI, CA, user)
  -p, --printer URL|NAME  printer or intermediary (ipp://, ipps://) or a printer's name;
                        default $TNO_PRINTER (URL or name), else the default printer
  -U, --user NAME       requesting-user-name (default: the printer's saved user, else $USER);
                        with $TNO_PASSWORD set, also the HTTP Basic user name ($TNO_TOKEN,
                        an OAuth access token, is sent instead)
      --ca FILE         PEM CA certificate(s) to verify an ipps server with
      --pin HEX         SHA-256 fingerprint of the ipps server's TLS certificate
      --state DIR       trust store and printers directory (default $XDG_STATE_HOME/trustnoone)
      --timeout SECONDS per request (default 60; no limit for document uploads)
      --json            machine-readable output on stdout`;

export const printUsage = `Usage: tno print FILE... --printer URL [-o name=value ...] [-n copies]
                 [--sign-key KEY.pem --sign-cert CERT.pem] [--trust-on-first-use | --strict]
                 [--require-pq] [--allow-plaintext] [--release-pin] [--no-wait] [--json]

Seals FILE(s) to the printer's key (end-to-end encryption, TRUSTNOONE) and submits them as one
job, directly or through an intermediary, then waits for the job to finish. One file is sent as
Print-Job, several as Create-Job + Send-Document. Refuses printers without TRUSTNOONE unless
--allow-plaintext. FILE - reads the document from stdin (give -o document-format=TYPE).

${connectionUsage}
  -o name=value         Job Template attribute (copies, media, sides, print-quality, ...),
                        checked against the printer's <name>-supported; repeatable. Also
                        -o job-name=NAME and -o document-format=TYPE (default: detected)
  -n, --copies N        same as -o copies=N
      --sign-key FILE   sign the job (sign, then encrypt) with this private key ...
      --sign-cert FILE  ... and certificate. Unsigned jobs carry STATE/identity/cert.pem instead
                        (created on first use), so only its owner can read the sealed job status
      --trust-on-first-use  pin an unknown printer's key without asking (warns on stderr)
      --strict          never accept an unknown key: only pinned or anchor-verified printers
                        (default on a terminal: ask; otherwise: refuse)
      --require-pq      refuse a printer that offers no post-quantum or hybrid key chaining to
                        a trust anchor (one offered is always preferred; the result says which
                        key was used: hybrid, post-quantum or classical)
      --allow-plaintext print in clear to a printer without TRUSTNOONE; never to a URI or
                        printer you trust with a key (a relay may be hiding it)
      --release-pin     hold the job at the printer until its release code (PIN) is entered
                        there; the code is read from TNO_PIN (never a flag: others see the
                        command line). tno returns once the job is submitted (--pin is the
                        TLS certificate pin, see above)
      --no-wait         return once the job is accepted
`;

export const statusUsage = `Usage: tno status JOB-ID --printer URL [--private | --cert CERT.pem --key KEY.pem] [--json]

Shows a job's state. With --cert and --key, also asks the printer for the job's attributes
sealed to your certificate (Get-Encrypted-Job-Attributes): the real job name, copies, media...,
which the intermediary relays but cannot read. The answer must be signed by the printer key you
trust.

${connectionUsage}
      --private         use your identity in the state directory (identity/cert.pem and
                        identity/key.pem; make it with: tno keys generate --kind client
                        --name YOU --cert STATE/identity/cert.pem --key STATE/identity/key.pem)
      --cert FILE       your certificate (the job owner's) ...
      --key FILE        ... and its private key
      --attribute NAME  with --cert: an attribute to ask for (repeatable; default a useful set)
`;

export const jobsUsage = `Usage: tno jobs --printer URL [--which not-completed|completed|all] [--mine] [--limit N] [--json]

Lists jobs (Get-Jobs): id, state, name (the neutral name for sealed jobs), reasons.

${connectionUsage}
      --which WHICH     not-completed (default), completed or all
      --mine            only your jobs
      --limit N         at most N jobs
`;

export const cancelUsage = `Usage: tno cancel JOB-ID --printer URL [--json]

Cancels a job (Cancel-Job). Through an intermediary, the cancel reaches the printer too.

${connectionUsage}
`;
