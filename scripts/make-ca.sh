#!/usr/bin/env bash
# Make a store (or chain) CA, a broker certificate and client certificates with openssl.
#   scripts/make-ca.sh OUT_DIR BROKER_HOST [CLIENT ...]
# e.g. scripts/make-ca.sh /etc/smartstore/pki mqtt.example.com demo/kiosk-1 demo/shelf-1 cloud-ingest
# Writes ca.crt/ca.key (keep ca.key offline), broker.crt/key (SAN = BROKER_HOST, localhost),
# and per client <name>.crt/key with CN = the MQTT username ("/" becomes "_" in file names).
# Re-running keeps an existing CA and only issues what is missing. See docs/operations/tls.md.
set -euo pipefail
out=${1:?usage: make-ca.sh OUT_DIR BROKER_HOST [CLIENT...]}
host=${2:?usage: make-ca.sh OUT_DIR BROKER_HOST [CLIENT...]}
shift 2
days_ca=3650
days_leaf=825
mkdir -p "$out"
umask 077
if [[ ! -f "$out/ca.key" ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -days "$days_ca" -subj "/CN=smartstore store CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.crt"
fi
issue() {  # issue NAME CN EXT
  local name=$1 cn=$2 ext=$3
  [[ -f "$out/$name.crt" ]] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/CN=${cn//\//\\/}" -keyout "$out/$name.key" -out "$out/$name.csr"
  openssl x509 -req -in "$out/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -days "$days_leaf" -sha256 -extfile <(printf '%s\n' "$ext") -out "$out/$name.crt"
  rm -f "$out/$name.csr"
}
issue broker "$host" "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
for client in "$@"; do
  issue "${client//\//_}" "$client" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
done
chmod 644 "$out"/*.crt
echo "CA and certificates in $out"
