#!/usr/bin/env python3
"""bench/mes_ref.py - the reference Method of Equal Shares, for `make bench`.

Usage: python3 bench/mes_ref.py [--rule mes|mes-add1] FILE.pb

Reads an approval-ballot pabulib file and prints the ids of the projects
the Method of Equal Shares selects, one a line, in the order it selected
them; a summary goes to standard error.  --rule mes is the rule on the
file's budget alone; --rule mes-add1 (the default) adds the Add1
completion.

This is the method as equalshares.net publishes it for Python
(https://equalshares.net/implementation/computation/, the code its page
generates for: approval ballots, floating-point accuracy, the "add1"
completion with its "integral" and "exhaustive" options, ties broken by
most votes, then lowest cost).  It is transcribed operation for
operation, in floats, the same sums in the same order, and nothing is
made faster: the point of it is to be the published method, so that the
benchmark can compare ft-vote's count with it, both in time and in the
projects chosen.  Utility is 1 for every approved project.

One thing is added: where the published code raises an exception on a
tie that most votes and lowest cost leave unbroken, this takes the
smaller project id (as numbers when both are numbers), which is the last
step of ft-vote's default tie-break (votes,cost,id).
"""

import csv
import sys
import time


def read_pb(path):
    """META as a dict, the projects' ids and costs (file order), the
    ballots as (voter id, [project id...]) in file order."""
    meta, costs, ballots = {}, {}, []
    section, header = None, None
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter=";"):
            if not row or not any(cell.strip() for cell in row):
                continue
            name = row[0].strip()
            if len(row) == 1 and name in ("META", "PROJECTS", "VOTES"):
                section, header = name, None
                continue
            if header is None:
                header = [h.strip() for h in row]
                continue
            rec = dict(zip(header, row))
            if section == "META":
                meta[rec["key"].strip()] = rec["value"].strip()
            elif section == "PROJECTS":
                costs[rec["project_id"].strip()] = float(rec["cost"])
            elif section == "VOTES":
                vote = rec.get("vote", "").strip()
                ballots.append((rec["voter_id"].strip(),
                                [p.strip() for p in vote.split(",") if p.strip()]))
    return meta, costs, ballots


def id_key(p):
    return (0, int(p), p) if p.isdigit() else (1, 0, p)


def break_ties(voters, projects, cost, approvers, choices):
    remaining = list(choices)
    # most votes first
    most = max(len(approvers[c]) for c in remaining)
    remaining = [c for c in remaining if len(approvers[c]) == most]
    # then the cheapest
    cheapest = min(cost[c] for c in remaining)
    remaining = [c for c in remaining if cost[c] == cheapest]
    # (added: the published code raises here when more than one is left)
    if len(remaining) > 1:
        remaining = [min(remaining, key=id_key)]
    return remaining


def equal_shares_fixed_budget(voters, projects, cost, approvers, total_budget):
    """The rule on total_budget: each voter starts with an equal share."""
    budget = {i: total_budget / len(voters) for i in voters}
    # candidate -> its effective vote count when last looked at
    remaining = {}
    for c in projects:
        if cost[c] > 0 and len(approvers[c]) > 0:
            remaining[c] = len(approvers[c])
    winners = []
    while True:
        best = []
        best_eff_vote_count = 0
        # the candidates by decreasing earlier effective vote count: that
        # count can only have gone down since, so once it is below the best
        # found in this round no later candidate can win the round
        for c in sorted(remaining, key=lambda c: remaining[c], reverse=True):
            if remaining[c] < best_eff_vote_count:
                break
            if sum(budget[i] for i in approvers[c]) < cost[c]:
                # its supporters cannot pay for it, now or later
                del remaining[c]
                continue
            # the supporters, poorest first: each pays an equal share of
            # what is left to pay, or all it has when that is less
            approvers[c].sort(key=lambda i: budget[i])
            paid_so_far = 0
            denominator = len(approvers[c])
            for i in approvers[c]:
                max_payment = (cost[c] - paid_so_far) / denominator
                eff_vote_count = cost[c] / max_payment
                if max_payment > budget[i]:
                    paid_so_far += budget[i]
                    denominator -= 1
                else:
                    remaining[c] = eff_vote_count
                    if eff_vote_count > best_eff_vote_count:
                        best_eff_vote_count = eff_vote_count
                        best = [c]
                    elif eff_vote_count == best_eff_vote_count:
                        best.append(c)
                    break
        if not best:
            break
        best = break_ties(voters, projects, cost, approvers, best)[0]
        winners.append(best)
        del remaining[best]
        # charge its supporters
        best_max_payment = cost[best] / best_eff_vote_count
        for i in approvers[best]:
            if budget[i] > best_max_payment:
                budget[i] -= best_max_payment
            else:
                budget[i] = 0
    return winners


def equal_shares(voters, projects, cost, approvers, total_budget, add1=True):
    """The rule, with the Add1 completion: while some unselected project
    would still fit, raise the budget by one unit a voter (starting from a
    whole number a voter) and take the new outcome if it fits the real
    budget.  Returns the winners and the number of budgets tried."""
    mes = equal_shares_fixed_budget(voters, projects, cost, approvers,
                                    total_budget)
    steps = 0
    if not add1:
        return mes, steps, total_budget
    budget = int(total_budget / len(voters)) * len(voters)
    current_cost = sum(cost[c] for c in mes)
    while True:
        is_exhaustive = True
        for extra in projects:
            if extra not in mes and current_cost + cost[extra] <= total_budget:
                is_exhaustive = False
                break
        if is_exhaustive:
            break
        next_budget = budget + len(voters)
        steps += 1
        next_mes = equal_shares_fixed_budget(voters, projects, cost, approvers,
                                             next_budget)
        current_cost = sum(cost[c] for c in next_mes)
        if current_cost <= total_budget:
            budget = next_budget
            mes = next_mes
        else:
            break
    return mes, steps, budget


def main(argv):
    rule, path = "mes-add1", None
    args = list(argv[1:])
    while args:
        a = args.pop(0)
        if a == "--rule" and args:
            rule = args.pop(0)
        elif a.startswith("--rule="):
            rule = a[len("--rule="):]
        elif a in ("-h", "--help"):
            print(__doc__.split("\n\n")[1])
            return 0
        elif path is None and not a.startswith("-"):
            path = a
        else:
            path = None
            break
    if path is None or rule not in ("mes", "mes-add1"):
        print("usage: mes_ref.py [--rule mes|mes-add1] FILE.pb", file=sys.stderr)
        return 64
    started = time.perf_counter()
    meta, cost, ballots = read_pb(path)
    if meta.get("vote_type", "approval") != "approval":
        print("mes_ref: %s: vote_type %s: only approval ballots"
              % (path, meta.get("vote_type")), file=sys.stderr)
        return 65
    projects = list(cost)
    voters = [v for v, _ in ballots]
    approvers = {c: [] for c in projects}
    for v, vote in ballots:
        for c in vote:
            approvers[c].append(v)
    total_budget = float(meta["budget"])
    read = time.perf_counter()
    winners, steps, budget = equal_shares(voters, projects, cost, approvers,
                                          total_budget, rule == "mes-add1")
    done = time.perf_counter()
    for c in winners:
        print(c)
    spent = sum(cost[c] for c in winners)
    print("mes_ref: %s: %d ballots, %d projects, budget %s; %s: %d selected,"
          " %.2f spent; %d add1 budgets tried, last taken %.2f (%.2f a voter);"
          " read %.2f s, counted %.2f s"
          % (path, len(voters), len(projects), meta["budget"], rule,
             len(winners), spent, steps, budget, budget / len(voters),
             read - started, done - read), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
