"""Shipped word lists for the explicit request for a person, per language.

A request is a *cue* (talk, speak, connect me, parler, hablar...) followed, with only
*fillers* between (to, a, real, live...), by a *person* (human, agent, conseiller...); or a
message that is nothing but a person and politeness ("agent please", "un humain svp"); or a
refusal of the bot ("je ne veux pas parler à un robot"). A *negation* before the cue in the
same clause cancels it ("no need for an agent") unless it is an *inability* ("I can't reach
an agent", "je n'arrive pas à joindre un conseiller": a reason more to hand over). *Topics*
mask a person word that names a subject ("human resources", "agent fees", "agent
immobilier"). Chinese has no word boundaries: its requests are whole phrases.

Entries are written as a customer types them; they are folded (lower case, accents
stripped) when compiled. Operators extend or trim them in ``escalation.yaml`` under
``words: {LANG: {explicit_request | not_request | negation: {add, remove}}}``.
"""

from __future__ import annotations

from automations.escalation.lexicon_request_es_zh import ES, ZH
from automations.escalation.request_words import RequestWords
from automations.escalation.text import entries

EN = RequestWords(
    persons=entries(
        """
        human, humans, human being, real person, person, people, someone, somebody, anyone,
        anybody, agent, agents, live agent, human agent, operator, representative, rep,
        assistant, live assistant, advisor, adviser, staff, staff member, employee, manager,
        supervisor, customer service agent, customer service representative, live chat, live
        person
        """
    ),
    cues=entries(
        """
        talk, talking, speak, speaking, chat, chatting, contact, contacting, connect,
        connecting, transfer, transferring, reach, reaching, escalate, put me through, get me,
        give me, let me talk, let me speak, direct me, forward me, pass me, call, deal with, get
        hold of, get in touch with, hand me, hand over, switch me, route me
        """
    ),
    near_cues=entries(
        """
        want, need, like, prefer, get, requesting, request, ask for
        """
    ),
    fillers=entries(
        """
        to, with, a, an, the, some, real, actual, live, human, proper, physical, me, please,
        pls, plz, now, right, away, one, of, your, you, guys, directly, just, fucking, fking,
        bloody, damn, freaking, goddamn, through, over, for, in, up, an, into, another, other,
        different, customer, service, support, help, helpful, competent, knowledgeable, living,
        breathing, on, at, least, asap, immediately, wth, w, 2, u
        """
    ),
    standalone=entries(
        """
        a, an, the, please, pls, plz, now, real, live, human, actual, i, want, need, talk,
        speak, to, with, hello, hi, hey, ok, yes, just, asap, immediately, fucking, damn, you
        """
    ),
    bots=entries(
        """
        bot, bots, robot, robots, machine, chatbot, automated
        """
    ),
    bot_refusals=entries(
        """
        stop, tired of, sick of, hate, enough, done with, fed up with, useless, no more, instead
        of, rather than
        """
    ),
    negations=entries(
        """
        not, no, never, without, dont, nor, rather not, no need
        """
    ),
    inabilities=entries(
        """
        know, understand, able, find, get, seem, see, working, work, manage, figure, can, could,
        cannot, unable
        """
    ),
    topics=entries(
        """
        human resources, human rights, human error, human nature, human trafficking, agent fee,
        agent fees, agent commission, agent code, agent number, agent id, travel agent,
        insurance agent, estate agent, real estate agent, booking agent, shipping agent, customs
        agent, sales agent, secret agent, free agent, user agent, in person, per person, person
        to person, local agent, agent near, agent nearby, agents near, agents nearby, agent
        close, agent in my area, financial advisor, financial adviser, investment advisor, tax
        advisor, someone used, someone has, someone else used, somebody used, someone stole,
        somebody stole, someone took, someone made
        """
    ),
    phrases=entries(
        """
        talk to a human, speak to a human, human please, get me a human, speak to someone, talk
        to someone
        """
    ),
    splitters=entries(
        """
        but, instead, however, though, although
        """
    ),
    cue_only=entries(
        """
        person, people, someone, somebody, anyone, anybody, staff, employee, manager, advisor,
        adviser, assistant, live chat
        """
    ),
    past=entries(
        """
        was, were, had, already, been, earlier, yesterday
        """
    ),
    after=entries(
        """
        can help, could help, help me, to help me, to talk to, can answer, to call me, can
        call me
        """
    ),
    requirement=entries(
        """
        do i need to, do i have to, do i need, must i, should i, is it necessary to, is it
        mandatory to, will i need to, will i have to
        """
    ),
)

FR = RequestWords(
    persons=entries(
        """
        humain, humains, une humaine, etre humain, vraie personne, vrai personne, personne
        reelle, personne physique, une personne, quelquun, conseiller, conseillere, conseillers,
        agent, agents, operateur, operatrice, interlocuteur, interlocutrice, technicien,
        technicienne, responsable, superviseur, employe, employee, vendeur, vendeuse, standard,
        personne en chair et en os, service client humain
        """
    ),
    cues=entries(
        """
        parler, discuter, echanger, joindre, contacter, avoir, passer, passez moi, passe moi,
        mettre en relation, mettez moi en relation, transferer, transferez, transferez moi,
        rediriger, redirigez moi, appeler, rappeler, rappelle, rappelez, eu, parle, joindre,
        voir, contacte, mettre en contact, mettez moi en contact, avoir affaire, m adresser
        """
    ),
    near_cues=entries(
        """
        veux, voudrais, souhaite, souhaiterais, aimerais, besoin, demande, exige, prefere,
        preferais
        """
    ),
    fillers=entries(
        """
        a, au, aux, avec, un, une, le, la, les, l, de, d, du, des, vrai, vraie, vrais, reel,
        reelle, humain, humaine, moi, me, m, svp, stp, plait, s, il, vous, te, tout, de suite,
        directement, maintenant, mon, ma, votre, vos, en, ligne, direct, quelqu, autre,
        competent, competente, putain, bordel, service, client, clientele, physique, par,
        telephone, rapidement, vite, urgence
        """
    ),
    standalone=entries(
        """
        un, une, le, la, svp, stp, s, il, vous, plait, merci, vrai, vraie, humain, je, veux,
        voudrais, parler, a, bonjour, salut, maintenant, oui, please, tout, de, suite, direct
        """
    ),
    bots=entries(
        """
        robot, robots, bot, bots, machine, chatbot, automate, ia, ordinateur, programme,
        repondeur
        """
    ),
    bot_refusals=entries(
        """
        marre, ras le bol, stop, arretez, assez, fatigue, deteste, nul, au lieu, plutot, plus de
        """
    ),
    negations=entries(
        """
        ne, n, pas, jamais, sans, non, nul besoin, pas besoin, plus besoin, aucun, inutile de,
        pas la peine
        """
    ),
    inabilities=entries(
        """
        arrive, arrivons, reussis, reussi, parviens, peux, pouvons, pu, sais, savons, trouve,
        comprends, capable, moyen
        """
    ),
    topics=entries(
        """
        ressources humaines, droits humains, droits de l homme, erreur humaine, agent
        immobilier, agence immobiliere, agent d assurance, agent de voyage, agent commercial,
        agent secret, frais d agent, frais de conseiller, conseiller financier, conseiller d
        orientation, conseiller municipal, conseiller fiscal, conseiller en investissement,
        conseiller patrimonial, mon conseiller m, mon conseiller a, mon conseiller ma, ma
        conseillere m, ma conseillere a, personne ne, personne n, aucune personne, quelquun a,
        quelquun d autre, en personne, par personne, standard telephonique
        """
    ),
    phrases=entries(
        """
        un humain svp, parler a un humain, parler a un conseiller, passez moi quelquun,
        conseiller svp
        """
    ),
    splitters=entries(
        """
        mais, plutot, pourtant, cependant, sinon
        """
    ),
    cue_only=entries(
        """
        une personne, quelquun, responsable, technicien, technicienne, employe, employee,
        vendeur, vendeuse, standard, superviseur
        """
    ),
    past=entries(
        """
        ai, avons, avez, avais, avions, deja, hier, etais
        """
    ),
    after=entries(
        """
        peut m aider, pourrait m aider, peut me repondre, pourrait me repondre, me repondre, m
        aider, me rappeler, peut me rappeler
        """
    ),
    requirement=entries(
        """
        est ce que je dois, dois je, faut il, est ce qu il faut, suis je oblige de, faut il
        que je
        """
    ),
)

DEFAULTS: dict[str, RequestWords] = {"en": EN, "fr": FR, "es": ES, "zh": ZH}
