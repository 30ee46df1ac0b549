"""Shipped phrase lists for sensitive topics and sales moments, per language and category.

Phrases are matched on folded words (lower case, accents stripped, ``n't`` spelt ``not``),
whole words only, so "sue" matches "I will sue you" and not "issue". Each phrase belongs to
a category the handoff record shows the agent (``legal``, ``stolen_card``...). Chinese is
matched as substrings. Operators add and remove phrases per language in ``escalation.yaml``
(``words: {fr: {sensitive: {add: [...]}}}``); added phrases go to the ``custom`` category.
"""

from __future__ import annotations

from automations.escalation.text import entries

Categories = dict[str, tuple[str, ...]]

SENSITIVE: dict[str, Categories] = {
    "en": {
        "fraud": entries(
            """
            fraud, fraudulent, scam, scammed, scammer, identity theft, stole my identity,
            phishing, money laundering
            """
        ),
        "hacked": entries(
            """
            hacked, hacker, been compromised, account compromised, card compromised, compromised
            card, unauthorized, unauthorised, not authorize, not authorise, never authorized,
            someone accessed my account, someone logged into my account, someone else used my
            card, someone used my card, somebody used my card, not recognize, not recognise, do
            not recognize, dont recognize, unrecognized, unrecognised, suspicious,
            purchase|purchases|transaction|transactions|charge|charges|payment|payments|withdrawal|debit|activity|spend
            ~ not make|not made|never made|not approve|not authorize|not authorise|not
            recognize|not recognise|not buy|not intend|not mean|not spend|not do|not mine|never
            authorized
            """
        ),
        "stolen_card": entries(
            """
            stolen, stole my, lost my card, lost card, lost my wallet, lost my purse, lost or
            stolen, card is missing, card was taken, mugged, pickpocketed, robbed, lost ~ card,
            card ~ missing, misplaced ~ card
            """
        ),
        "double_charge": entries(
            """
            charged twice, charged me twice, billed twice, billed me twice, double charge,
            double charged, double billed, charged two times, duplicate charge, duplicate
            payment, paid twice, charged double, dispute, disputing, chargeback, charge back,
            wrong charge, charged me again, overcharged, reverse|refund|cancel ~
            charge|transaction|payment, charged ~ twice|two times
            """
        ),
        "legal": entries(
            """
            lawyer, lawyers, attorney, solicitor, legal action, lawsuit, take you to court, see
            you in court, to court, in court, small claims, sue you, sue your, sue the, sue
            them, will sue, going to sue, gonna sue, i ll sue, suing, gdpr, data protection,
            ombudsman, regulator, trading standards, consumer protection, report you to, better
            business bureau, legal department, class action, cease and desist
            """
        ),
    },
    "fr": {
        "fraud": entries(
            """
            fraude, frauduleux, frauduleuse, frauduleusement, arnaque, arnaquer, arnaque,
            escroquerie, escroc, usurpation d identite, hameconnage, phishing, blanchiment
            """
        ),
        "hacked": entries(
            """
            pirate, piratee, piratage, hacke, hackee, compte compromis, carte compromise, acces
            frauduleux, non autorise, non autorisee, pas autorise, jamais autorise, quelquun a
            utilise ma carte, quelquun s est connecte, je ne reconnais pas, operation inconnue,
            paiement inconnu, debit inconnu, non reconnu, non reconnue, suspect, suspecte,
            suspicieux, suspicieuse,
            paiement|paiements|prelevement|prelevements|achat|achats|operation|operations|debit|retrait|transaction|transactions
            ~ reconnais pas|pas fait|pas effectue|jamais fait|pas autorise|pas moi|jamais
            effectue
            """
        ),
        "stolen_card": entries(
            """
            carte volee, vole ma carte, vol de ma carte, vol de carte, on m a vole, perdu ma
            carte, carte perdue, carte a disparu, perte de ma carte, faire opposition,
            opposition sur ma carte, portefeuille vole, perdu|vole|volee|perdue|disparu ~ carte
            """
        ),
        "double_charge": entries(
            """
            debite deux fois, preleve deux fois, facture deux fois, paye deux fois, payer deux
            fois, double prelevement, double debit, double facturation, prelevement en double,
            debit en double, contester, contestation, conteste, litige, rembourser la
            difference, trop percu
            """
        ),
        "legal": entries(
            """
            avocat, avocate, porter plainte, porte plainte, deposer plainte, depot de plainte,
            plainte, tribunal, tribunaux, justice, poursuites, poursuivre en justice, mise en
            demeure, mettre en demeure, mediateur, mediation, rgpd, cnil, protection des
            donnees, huissier, ufc que choisir, dgccrf, association de consommateurs, action en
            justice, prud hommes, juridique
            """
        ),
    },
    "es": {
        "fraud": entries(
            """
            fraude, fraudulento, estafa, estafaron, estafador, robo de identidad, suplantacion
            de identidad, phishing
            """
        ),
        "hacked": entries(
            """
            hackearon, hackeada, hackeado, pirateada, pirateado, no autorizado, no autorice, no
            reconozco, cargo desconocido, alguien uso mi tarjeta, comprometida, sospechoso,
            sospechosa, cargo|cargos|compra|compras|cobro|cobros|transaccion|movimiento|retiro ~
            no reconozco|no hice|no autorice|no fui yo|no realice
            """
        ),
        "stolen_card": entries(
            """
            tarjeta robada, robaron mi tarjeta, me robaron, perdi mi tarjeta, tarjeta perdida,
            robo de mi tarjeta, bloquear mi tarjeta, perdi|robaron|extravie ~ tarjeta
            """
        ),
        "double_charge": entries(
            """
            cobro duplicado, cobraron dos veces, me cobraron dos veces, cargo duplicado, doble
            cargo, doble cobro, pague dos veces, disputa, reclamar el cargo, contracargo
            """
        ),
        "legal": entries(
            """
            abogado, abogada, demanda, demandar, demandare, denuncia, denunciar, tribunal,
            juicio, rgpd, proteccion de datos, defensor del consumidor, accion legal, consumo
            """
        ),
    },
    "zh": {
        "fraud": entries(
            """
            诈骗, 欺诈, 骗子, 被骗, 钓鱼
            """
        ),
        "hacked": entries(
            """
            被黑, 被盗号, 账号被盗, 盗号, 未经授权, 不是我本人, 异常登录
            """
        ),
        "stolen_card": entries(
            """
            卡被偷, 卡被盗, 盗刷, 丢了卡, 卡丢了, 银行卡丢失, 挂失
            """
        ),
        "double_charge": entries(
            """
            重复扣款, 扣了两次, 扣款两次, 多扣, 重复收费, 收了两次
            """
        ),
        "legal": entries(
            """
            律师, 起诉, 法院, 报警, 消协, 投诉到, 维权, 法律
            """
        ),
    },
}

SALES: dict[str, Categories] = {
    "en": {
        "pricing": entries(
            """
            pricing, price list, how much does, how much is, quote, enterprise plan, discount,
            upgrade my plan, upgrade to
            """
        ),
        "demo": entries(
            """
            demo, book a demo, demonstration, free trial, trial
            """
        ),
        "cancellation": entries(
            """
            cancel my subscription, cancel my plan, cancel my account, cancel my membership,
            unsubscribe, switch to a competitor, switching to, close my account, end my
            contract, terminate
            """
        ),
    },
    "fr": {
        "pricing": entries(
            """
            tarif, tarifs, prix, combien coute, combien ca coute, devis, offre entreprise,
            remise, reduction
            """
        ),
        "demo": entries(
            """
            demo, demonstration, essai gratuit, periode d essai
            """
        ),
        "cancellation": entries(
            """
            resilier, resiliation, annuler mon abonnement, me desabonner, desabonnement, fermer
            mon compte, cloturer mon compte, partir chez un concurrent, changer d operateur
            """
        ),
    },
    "es": {
        "pricing": entries(
            """
            precio, precios, cuanto cuesta, cotizacion, presupuesto, tarifa, descuento
            """
        ),
        "demo": entries(
            """
            demo, demostracion, prueba gratuita
            """
        ),
        "cancellation": entries(
            """
            cancelar mi suscripcion, darme de baja, dar de baja, cancelar mi cuenta, cerrar mi
            cuenta, cambiarme a la competencia
            """
        ),
    },
    "zh": {
        "pricing": entries(
            """
            价格, 多少钱, 报价, 收费标准, 折扣, 优惠
            """
        ),
        "demo": entries(
            """
            演示, 试用, 免费试用
            """
        ),
        "cancellation": entries(
            """
            取消订阅, 退订, 注销账户, 销户, 解约, 不想用了
            """
        ),
    },
}
