#!/usr/bin/env bash
# Checks the Ansible deployment: syntax of both playbooks, then ansible-lint (production profile,
# offline). Uses Debian's ansible and ansible-lint, installing them when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/ansible"

if ! command -v ansible-playbook >/dev/null || ! command -v ansible-lint >/dev/null; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "ansible-lint.sh: needs ansible and ansible-lint (apt-get install ansible ansible-lint)" >&2
    exit 1
  fi
  echo "ansible-lint.sh: installing ansible and ansible-lint from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible ansible-lint >/dev/null
fi

# The example inventory gives the [tfctl] group the playbooks target.
export ANSIBLE_CONFIG="$root/ansible/ansible.cfg"
for pb in playbook.yml cleanup.yml; do
  ansible-playbook --syntax-check -i inventory.example.ini "$pb"
done
ansible-lint --offline --nocolor
echo "ansible-lint: syntax-check and ansible-lint passed"
