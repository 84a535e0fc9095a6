"""Searching cards in one box. The card browser shows this text.

Words find the cards with every word at the start of a word of the front or
back (or a tag of that name). Put a phrase or a word such as "or" in quotes.

  topic:"System design"   the topic of that name (any case); topic:sys* starts so
  tag:kafka               tagged kafka, spelled just so; tag:sys* starts so
  is:due                  a prompt of the card is due now
  is:new                  a prompt of the card you have never studied
  is:suspended            the card is suspended
  is:leech                one of your leeches (tagged leech, or forgotten 8 times)
  is:hidden               a starter card you deleted (hidden from you only)
  mine / starter          your own cards / the starter library's
  kind:cloze              basic, reversed or cloze
  added:7                 added in the last 7 days (1 is today)
  rated:1                 graded today; rated:1:1 graded Again today
                          (the grade is 1 Again, 2 Hard, 3 Good, 4 Easy)
  prop:r<0.8              the chance of recalling a prompt now, 0 to 1
  prop:d>0.7              its difficulty, 0 (easiest) to 1 (hardest)
  prop:s>21               its stability in days
  prop:lapses>=3          how often you forgot it; prop:reps: how often you studied it

prop: takes <, <=, >, >=, = or !=. A card matches a prompt filter when any of
its prompts does (a reversed card has two, a cloze card one per gap).

Terms side by side must all match. OR matches either, - matches the opposite
and parentheses group: kafka (is:due OR is:new) -tag:done. - binds first,
then AND, then OR. A search has at most 500 characters and 40 terms."""
