/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef WC_VERSION_H
#define WC_VERSION_H
#define WC_VERSION "0.1.0"
#endif
