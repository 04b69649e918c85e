#!/usr/bin/env bats
# The digests the toolkit stores: SHA-256 and HMAC-SHA-256 against their
# published test vectors (FIPS 180-4, RFC 4231), and a fixed run whose
# history chain, voter and ballot tags and tally digest must stay those
# earlier versions stored, so that every existing database keeps verifying.

bats_require_minimum_version 1.5.0
load helpers/common

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# A fixed run over the fixtures: units, events, a dispatch, updates, and a
# vote with a fixed key.
fixed_run() {
	local F="$FIXTURES"
	ft-ingest -k units "$F/ft-update/units.ndjson" > /dev/null
	ft-ingest "$F/ft-update/events.ndjson" > /dev/null
	ft-dispatch --rules "$F/ft-update/rules.json" \
		--now 2026-11-21T00:00:00Z --pending > /dev/null
	ft-update "$F/ft-update/updates.csv" > /dev/null
	printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f > vote.key
	chmod 600 vote.key
	ft-ingest -k units "$F/ft-vote/units.ndjson" > /dev/null
	ft-vote open --key vote.key --now 2026-11-01T00:00:00Z "$F/ft-vote/round.json" > /dev/null
	ft-vote projects 2027-futian --now 2026-11-01T00:00:00Z "$F/ft-vote/projects.ndjson" > /dev/null
	ft-vote register 2027-futian --key vote.key --now 2026-11-01T00:00:00Z "$F/ft-vote/voters.csv" > /dev/null
	ft-vote cast 2027-futian --key vote.key --now 2026-11-15T00:00:00Z "$F/ft-vote/ballots.ndjson" > /dev/null
	ft-vote tally 2027-futian --now 2026-11-21T00:00:00Z > /dev/null
}

@test "crypto digests: a fixed run stores the history hashes, tags and tally digest earlier versions stored" {
	run -0 fixed_run
	run -0 --separate-stderr ft-update --verify
	run -0 sql "SELECT hash FROM history ORDER BY seq DESC LIMIT 1"
	[ "$output" = 6c407e008576ef10d425a0b9c20a013d378ce675c5c34f94eb34bb87128397fe ]
	run -0 sql "SELECT group_concat(voter, ' ') FROM (SELECT voter FROM voters ORDER BY voter)"
	[ "$output" = '150d8812eafbafb7c89cda5194324271231243537458110f914239294928f04b 4017c56b1b6ef191547b0288e4df47d86e6a2df36b25f9d1d0495a555a7879eb 463d84076619335be5f8cbd32a45602a7252c74f441cb653c7b12a60b868fb0e c7499fac2c08d4aa1ccd644e359edf82b1d4584fd604ee9eb6d08f2e3e843837 f3f8c98dc0d83922694a1c2d5b01cbcb9e351137f57c957483055d11734b9578' ]
	run -0 sql "SELECT group_concat(tag, ' ') FROM (SELECT tag FROM ballots ORDER BY tag)"
	[ "$output" = '6d4d0661c60b2b6f478bf1591e37e83676fc42079324d7cd48f1ca5a47d77b74 9ab770035926e1a4b58787dbbeabe4a932f2ecc9a0f9a8533fb6fe388047fb2a e54d0663002d3f5463ba356e68aa42853fae8e89eaf2ce5976fbcf3516124483' ]
	run -0 sql "SELECT digest FROM tallies"
	[ "$output" = 9dbff1fe721409028d13e6392c7b79941478ffddc2b97d152d6b0faedefee3c4 ]
}
