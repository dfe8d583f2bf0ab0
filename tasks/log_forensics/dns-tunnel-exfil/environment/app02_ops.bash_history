#1783738280
df -h
#1783738304
ls -la /srv
#1783745101
free -m
#1783745196
uptime
#1783752753
systemctl status app
#1783752869
ls -la /srv
#1783769551
free -m
#1783769602
tail -n 50 /var/log/syslog
#1783806173
uptime
#1783806190
journalctl -u nginx --since today
#1783826755
free -m
#1783826841
df -h
#1783836119
df -h
#1783836197
tail -n 50 /var/log/syslog
#1783845294
uptime
#1783845401
tail -n 50 /var/log/syslog
#1783877734
tail -n 50 /var/log/syslog
#1783877844
free -m
#1783880356
df -h
#1783880399
ls -la /srv
#1783881822
systemctl status app
#1783881883
journalctl -u nginx --since today
#1783909776
ls -la /srv
#1783909878
uptime
#1783938841
df -h
#1783938909
journalctl -u nginx --since today
#1783939853
free -m
#1783939960
journalctl -u nginx --since today
#1783946942
uptime
#1783947033
tail -n 50 /var/log/syslog
#1783967474
systemctl status app
#1783967540
uptime
#1783973296
df -h
#1783973326
ls -la /srv
#1784003051
df -h
#1784003131
journalctl -u nginx --since today
#1784016680
systemctl status app
#1784016792
journalctl -u nginx --since today
#1784045317
tail -n 50 /var/log/syslog
#1784045423
df -h
#1784051185
systemctl status app
#1784051209
ls -la /srv
#1784060317
systemctl status app
#1784060374
tail -n 50 /var/log/syslog
#1784061481
df -h
#1784061572
uptime
#1784067100
ls -la /srv
#1784067178
systemctl status app
