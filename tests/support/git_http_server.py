#!/usr/bin/env python3
"""A real smart-HTTP git server for tests: `git http-backend` behind Basic auth.

Each listener serves one provider's credential policy on its own loopback address:
  python3 git_http_server.py ROOT LOG POLICIES_JSON
POLICIES_JSON: [{"bind": "127.0.0.1", "provider": "bitbucket-cloud",
                 "accept": [["user", "password"], ...], "any_user": false}, ...]
Optional policy keys (all off by default):
  "read_only": [["user", "password"], ...]  authenticate, but a push request (the
                receive-pack advertisement or POST) gets 403 "Write access to
                repository not granted." (GitHub's wording)
  "hidden": ["name.git", ...]  repositories no credential may see: 404 "Repository not
                found." after authentication (GitHub answers a private repository so)
  "delay": seconds  wait this long before answering each request
  "hang": true  read the request, log it, and never answer
It prints {"127.0.0.1": port, ...} on one line, then serves until stdin closes or
10 minutes pass. Every request is logged as: bind method path auth=<base64 or ->.
"""
import base64
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, LOG, POLICIES = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
LOCK = threading.Lock()


def is_token(pw):
    return bool(re.match(r"^(ghp_|gho_|ghu_|ghs_|github_pat_|glpat-|ATATT|ATCTT|hf_|[0-9a-f]{40}$)", pw)) or (
        len(pw) == 84 and pw[76:80] == "AZDO"
    )


def make_handler(policy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def deny(self, code, text):
            body = (text + "\n").encode()
            self.send_response(code)
            if code == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def judge(self, user, pw):
            """The provider's rules, then the accepted set."""
            p = policy["provider"]
            if p == "bitbucket-cloud":
                if pw.startswith("ATBB") or re.fullmatch(r"[A-Za-z0-9]{20}", pw):
                    return 410, "CHANGE-3222 - App passwords are deprecated and must be replaced with API tokens."
                if "@" in user:
                    return 401, "Invalid credentials"
            if p in ("github", "hugging-face", "azure-devops") and not is_token(pw):
                return 401, "Invalid username or token. Password authentication is not supported for Git operations."
            if p == "gitlab" and (pw.startswith("gldt-") or user.startswith("gitlab+deploy-token")):
                return 403, "You are not allowed to upload code."
            for u, pa in policy["accept"]:
                if pa == pw and (u == user or policy.get("any_user")):
                    return self.visible()
            for u, pa in policy.get("read_only", []):
                if pa == pw and (u == user or policy.get("any_user")):
                    return self.visible() or self.read_only()
            return 401, "Invalid credentials"

        def visible(self):
            repo = self.path.lstrip("/").split("/", 1)[0]
            if repo in policy.get("hidden", []):
                return 404, "Repository not found."
            return None

        def read_only(self):
            if "service=git-receive-pack" in self.path or self.path.split("?")[0].endswith("/git-receive-pack"):
                return 403, "Write access to repository not granted."
            return None

        def handle_any(self, method):
            auth = self.headers.get("Authorization", "")
            with LOCK, open(LOG, "a") as f:
                f.write(f"{policy['bind']} {method} {self.path} auth={auth.split(' ', 1)[-1] if auth else '-'}\n")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if policy.get("hang"):
                threading.Event().wait(600)
                return
            if policy.get("delay"):
                time.sleep(float(policy["delay"]))
            if not auth.lower().startswith("basic "):
                return self.deny(401, "Authentication required")
            try:
                user, _, pw = base64.b64decode(auth.split(" ", 1)[1]).decode().partition(":")
            except Exception:
                return self.deny(401, "bad header")
            verdict = self.judge(user, pw)
            if verdict:
                return self.deny(*verdict)
            path, _, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", ""),
                "GIT_PROJECT_ROOT": ROOT,
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": method,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user,
                "REMOTE_ADDR": "127.0.0.1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": ROOT,
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60).stdout
            head, _, rest = out.partition(b"\r\n\r\n")
            if not rest and b"\n\n" in out:
                head, _, rest = out.partition(b"\n\n")
            status = 200
            headers = []
            for line in head.decode(errors="replace").splitlines():
                k, _, v = line.partition(":")
                if k.lower() == "status":
                    status = int(v.strip().split()[0])
                elif k:
                    headers.append((k, v.strip()))
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(rest)))
            self.end_headers()
            self.wfile.write(rest)

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

    return Handler


def main():
    ports = {}
    for policy in POLICIES:
        server = ThreadingHTTPServer((policy["bind"], 0), make_handler(policy))
        server.daemon_threads = True
        ports[policy["bind"]] = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps(ports), flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(600)


main()
